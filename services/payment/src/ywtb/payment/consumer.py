"""The case consumer: every accepted and every approved case is noted once for its charge."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2 as approval_events
from ywtb.api.intake.v1 import events_pb2 as intake_events
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.envelope import Event
from ywtb.common.events.typed import EventTypes
from ywtb.common.inbox import Handler, IdempotentConsumer
from ywtb.common.timestamps import from_timestamp
from ywtb.payment.charges import Charges
from ywtb.payment.events import APPROVAL_CASE_TOPIC, CONSUMER_GROUP, INTAKE_CASE_TOPIC
from ywtb.payment.models import inbox

CASE_EVENTS = EventTypes(intake_events.CaseAccepted, approval_events.CaseApproved)  # others charge nothing


def case_handler(charges: Charges) -> Handler:
    """The handler: the inbox row commits with the charge."""

    def handle(session: Session, event: Event) -> None:
        message = CASE_EVENTS.parse(event)
        if isinstance(message, intake_events.CaseAccepted):
            case = (message.case_no, message.item_id, message.tenant, message.dept)
            charges.record(session, case, accepted_at=from_timestamp(message.accepted_at) or charges.now())
        elif isinstance(message, approval_events.CaseApproved):
            case = (message.case_no, message.item_id, message.tenant, message.dept)
            charges.record(session, case, approved_at=from_timestamp(message.approved_at) or charges.now())

    return handle


def case_consumer(bus: EventBus, db: Database, charges: Charges) -> IdempotentConsumer:
    """The group ywtb-payment on the intake and approval case topics (idempotent by event id and case)."""
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=CONSUMER_GROUP,
        topics=[INTAKE_CASE_TOPIC, APPROVAL_CASE_TOPIC],
        handler=case_handler(charges),
    )
