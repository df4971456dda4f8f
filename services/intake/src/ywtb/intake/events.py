"""What the intake service publishes: the case topic and event staging in the use case's transaction."""

from __future__ import annotations

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.common.outbox import add_event
from ywtb.intake.models import outbox

SOURCE = "/ywtb/intake"
CASE_TOPIC = "ywtb.intake.case.v1"


def publish(session: Session, message: Message, *, case_no: str, tenant: str) -> None:
    """Stage a case event (key = case number, so one case's events stay ordered)."""
    add_event(session, outbox, message, topic=CASE_TOPIC, key=case_no, source=SOURCE, tenant=tenant)
