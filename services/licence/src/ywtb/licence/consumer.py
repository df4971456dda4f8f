"""The case consumer: each approved case is tracked once for its licence; a case's fees paid release a licence
issued only once they are (缴费后发证)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2 as approval_events
from ywtb.api.payment.v1 import events_pb2 as payment_events
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.envelope import Event
from ywtb.common.events.typed import EventTypes
from ywtb.common.inbox import Handler, IdempotentConsumer
from ywtb.licence.events import APPROVAL_CASE_TOPIC, CONSUMER_GROUP, PAYMENT_ORDER_TOPIC
from ywtb.licence.issuance import Issuances
from ywtb.licence.models import inbox

log = logging.getLogger(__name__)

CASE_EVENTS = EventTypes(approval_events.CaseApproved, payment_events.PaymentPaid)  # others issue nothing


def case_approved_handler(issuances: Issuances) -> Handler:
    """The handler: the inbox row commits with the issuance record."""

    def handle(session: Session, event: Event) -> None:
        message = CASE_EVENTS.parse(event)
        if isinstance(message, payment_events.PaymentPaid):
            issuances.record_paid(session, message)
        elif isinstance(message, approval_events.CaseApproved) and not issuances.record_approved(
            session, message
        ):
            log.info("case %s is tracked already; event %s adds nothing", message.case_no, event.id)

    return handle


def case_approved_consumer(bus: EventBus, db: Database, issuances: Issuances) -> IdempotentConsumer:
    """The group ywtb-licence on the approval case and payment order topics (idempotent by event id and case)."""
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=CONSUMER_GROUP,
        topics=[APPROVAL_CASE_TOPIC, PAYMENT_ORDER_TOPIC],
        handler=case_approved_handler(issuances),
    )
