"""The CaseApproved consumer: each approved case is tracked once for its licence."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2 as approval_events
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.envelope import Event
from ywtb.common.events.typed import EventTypes
from ywtb.common.inbox import Handler, IdempotentConsumer
from ywtb.licence.events import APPROVAL_CASE_TOPIC, CONSUMER_GROUP
from ywtb.licence.issuance import Issuances
from ywtb.licence.models import inbox

log = logging.getLogger(__name__)

APPROVAL_EVENTS = EventTypes(approval_events.CaseApproved)  # other approval events issue nothing


def case_approved_handler(issuances: Issuances) -> Handler:
    """The handler: the inbox row commits with the issuance record."""

    def handle(session: Session, event: Event) -> None:
        approved = APPROVAL_EVENTS.parse(event)
        if approved is None:
            return
        if not issuances.record_approved(session, approved):
            log.info("case %s is tracked already; event %s adds nothing", approved.case_no, event.id)

    return handle


def case_approved_consumer(bus: EventBus, db: Database, issuances: Issuances) -> IdempotentConsumer:
    """The group ywtb-licence on ywtb.approval.case.v1 (idempotent by event id and by case and item)."""
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=CONSUMER_GROUP,
        topics=[APPROVAL_CASE_TOPIC],
        handler=case_approved_handler(issuances),
    )
