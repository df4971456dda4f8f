"""The case consumer: each completed case (and each received or accepted one, where the tenant rates those
stages) is noted once as open to its applicant's rating; an accepted case's clerk is noted for the staff
indicators."""

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
from ywtb.evaluation.events import APPROVAL_CASE_TOPIC, CONSUMER_GROUP, INTAKE_CASE_TOPIC
from ywtb.evaluation.models import ACCEPTANCE, COMPLETION, RECEIPT, CaseStaff, inbox
from ywtb.evaluation.rateables import Rateables

CASE_EVENTS = EventTypes(
    intake_events.CaseSubmitted, intake_events.CaseAccepted, approval_events.CaseCompleted
)


def case_handler(rateables: Rateables) -> Handler:
    """The handler: the inbox row commits with the rateable stage."""

    def handle(session: Session, event: Event) -> None:
        message = CASE_EVENTS.parse(event)
        if isinstance(message, intake_events.CaseSubmitted):
            stage, at = RECEIPT, from_timestamp(message.received_at)
        elif isinstance(message, intake_events.CaseAccepted):
            stage, at = ACCEPTANCE, from_timestamp(message.accepted_at)
            if message.accepted_by and session.get(CaseStaff, message.case_no) is None:
                session.add(
                    CaseStaff(case_no=message.case_no, tenant=message.tenant, staff=message.accepted_by)
                )
        elif isinstance(message, approval_events.CaseCompleted):
            stage, at = COMPLETION, from_timestamp(message.completed_at)
        else:
            return
        case = (message.case_no, message.tenant, message.dept, message.item_id)
        rateables.reach(session, case, stage, at or rateables.now())

    return handle


def case_consumer(bus: EventBus, db: Database, rateables: Rateables) -> IdempotentConsumer:
    """The group ywtb-evaluation on the intake and approval case topics (idempotent by event id)."""
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=CONSUMER_GROUP,
        topics=[INTAKE_CASE_TOPIC, APPROVAL_CASE_TOPIC],
        handler=case_handler(rateables),
    )
