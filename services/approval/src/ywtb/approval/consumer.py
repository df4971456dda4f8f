"""The CaseAccepted consumer: each accepted case starts exactly one workflow instance."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ywtb.approval.events import CONSUMER_GROUP, INTAKE_CASE_TOPIC, INTAKE_EVENTS, accepted_case_of
from ywtb.approval.models import inbox
from ywtb.approval.service import ApprovalService
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.envelope import Event
from ywtb.common.inbox import Handler, IdempotentConsumer

log = logging.getLogger(__name__)


def case_accepted_handler(service: ApprovalService) -> Handler:
    """The handler: other intake events are ignored; the inbox row commits with the new instance."""

    def handle(session: Session, event: Event) -> None:
        message = INTAKE_EVENTS.parse(event)
        if message is None:
            return
        case = accepted_case_of(message, event)
        if not service.start_case(session, case, event.id):
            log.info("case %s already has a workflow; event %s starts nothing", case.case_no, event.id)

    return handle


def case_accepted_consumer(bus: EventBus, db: Database, service: ApprovalService) -> IdempotentConsumer:
    """The group ywtb-approval on ywtb.intake.case.v1 (idempotent by event id and by case number)."""
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=CONSUMER_GROUP,
        topics=[INTAKE_CASE_TOPIC],
        handler=case_accepted_handler(service),
    )
