"""What the identity service publishes: topics and event staging in the use case's transaction."""

from __future__ import annotations

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.common.outbox import add_event
from ywtb.identity.models import outbox

SOURCE = "/ywtb/identity"
TENANT_TOPIC = "ywtb.identity.tenant.v1"
DEPARTMENT_TOPIC = "ywtb.identity.department.v1"
STAFF_TOPIC = "ywtb.identity.staff.v1"
PERSON_TOPIC = "ywtb.identity.person.v1"


def publish(session: Session, message: Message, *, topic: str, key: str, tenant: str) -> None:
    """Stage an identity event in the current transaction."""
    add_event(session, outbox, message, topic=topic, key=key, source=SOURCE, tenant=tenant)
