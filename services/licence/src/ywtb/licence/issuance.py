"""出证: every approved case whose item's result is a licence gets it within 10 working days (art. 44).

The consumer only records the approved case (its inbox row commits with the record); the issuance round
then reads the case's facts from intake and the catalogue, resolves the licence type and issues — or
leaves it to the issuing clerk when the type is issued by hand or a field cannot be filled from the form.
A failed read is retried with backoff; nothing is lost while intake or the catalogue are down.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2 as approval_events
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.api.payment.v1 import events_pb2 as payment_events
from ywtb.common.calendar import WorkCalendar, local_date, national_calendar
from ywtb.common.case_facts import CaseFacts
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument
from ywtb.common.timestamps import from_timestamp
from ywtb.common.workers import failure_reason, retry_later
from ywtb.licence.licence_types import LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences
from ywtb.licence.models import (
    AWAITING_CLERK,
    AWAITING_PAYMENT,
    ISSUED,
    MANUAL,
    NOT_A_LICENCE,
    PENDING,
    CasePayment,
    Issuance,
    LicenceType,
)

log = logging.getLogger(__name__)

ISSUE_WORKDAYS = 10  # 行政许可法 art. 44: the licence within ten (working) days of the decision
ROUND_SIZE = 20


def order_of(
    issuance: Issuance, kind: LicenceType, holder: intake_pb2.GetCaseHolderResponse, values: dict[str, str]
) -> IssueOrder:
    """What the licence of an issuance is issued from: its case's holder and the field values."""
    return IssueOrder(
        case_no=issuance.case_no,
        tenant=issuance.tenant,
        licence_type=kind,
        issuer=issuance.dept,
        issuer_name=holder.dept_name,
        holder_name=holder.holder_name,
        holder_code_type=holder.holder_code_type,
        holder_code=holder.holder_code,
        owner=holder.owner,
        values=values,
    )


class Issuances(Clocked):
    """Approved cases awaiting their licence."""

    def __init__(
        self,
        db: Database,
        licences: Licences,
        facts: CaseFacts,
        *,
        calendar: WorkCalendar | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.licences = licences
        self.facts = facts
        self.calendar = calendar or national_calendar()
        self.clock = clock

    def record_approved(self, session: Session, approved: approval_events.CaseApproved) -> bool:
        """Track an approved case (in the consumer's transaction); False when it is tracked already."""
        if session.get(Issuance, (approved.case_no, approved.item_id)) is not None:
            return False
        approved_at = from_timestamp(approved.approved_at) or self.now()
        session.add(
            Issuance(
                case_no=approved.case_no,
                item_id=approved.item_id,
                tenant=approved.tenant,
                dept=approved.dept,
                approved_at=approved_at,
                due_on=self.calendar.add_workdays(local_date(approved_at), ISSUE_WORKDAYS),
                status=PENDING,
                type_code="",
                identifier="",
                attempts=0,
                last_error="",
                next_at=approved_at,
                updated_at=self.now(),
            )
        )
        return True

    def record_paid(self, session: Session, paid: payment_events.PaymentPaid) -> None:
        """Note a case's fees paid (in the consumer's transaction); its issuance waiting for them is due again."""
        if session.get(CasePayment, paid.case_no) is None:
            paid_at = from_timestamp(paid.paid_at) or self.now()
            session.add(CasePayment(case_no=paid.case_no, order_no=paid.order_no, paid_at=paid_at))
        waiting = session.scalars(
            select(Issuance).where(Issuance.case_no == paid.case_no, Issuance.status == AWAITING_PAYMENT)
        )
        for issuance in waiting:
            issuance.status, issuance.next_at, issuance.updated_at = PENDING, self.now(), self.now()

    def run_round(self) -> int:
        """Try the pending issuances that are due a try; how many left the pending state."""
        now = self.now()
        with self.db.transaction() as session:
            due = session.execute(
                select(Issuance.case_no, Issuance.item_id)
                .where(Issuance.status == PENDING, or_(Issuance.next_at.is_(None), Issuance.next_at <= now))
                .order_by(Issuance.next_at)
                .limit(ROUND_SIZE)
            ).all()
        return sum(self._try(case_no, item_id) for case_no, item_id in due)

    def _try(self, case_no: str, item_id: str) -> bool:
        try:
            self._issue(case_no, item_id)
            return True
        except Exception as exc:  # intake or the catalogue unreachable, a database error: try again later
            reason = failure_reason(exc)
            log.warning("issuance of case %s failed: %s", case_no, reason)
            self._retry_later(case_no, item_id, reason)
            return False

    def _issue(self, case_no: str, item_id: str) -> None:
        holder = self.facts.holder(case_no, [])
        guide = self.facts.guide(item_id, holder.item_version)
        result = guide.result
        with self.db.transaction() as session:
            issuance = session.get(Issuance, (case_no, item_id), with_for_update=True)
            if issuance is None or issuance.status != PENDING:
                return
            issuance.updated_at = self.now()
            if result.type != catalog_pb2.RESULT_TYPE_LICENCE or not result.licence_type.strip():
                issuance.status = NOT_A_LICENCE
                return
            if guide.pay_before_licence and session.get(CasePayment, case_no) is None:
                issuance.status = AWAITING_PAYMENT  # PaymentPaid puts it back in the round
                return
            kind = LicenceTypes.resolve(session, result.licence_type, issuance.dept, issuance.tenant)
            if kind is None:
                raise LookupError(f"no licence type {result.licence_type!r} for {issuance.dept}")
            issuance.type_code = kind.code
            if kind.issue_mode == MANUAL:
                issuance.status = AWAITING_CLERK
                return
            filled = self.facts.holder(case_no, [f["key"] for f in kind.fields]) if kind.fields else holder
            order = order_of(issuance, kind, filled, dict(filled.values))
            try:
                with session.begin_nested():
                    licence = self.licences.issue(session, order, self.now())
            except InvalidArgument as exc:  # a field the form lacks, a holder the clerk must correct
                issuance.status, issuance.last_error = AWAITING_CLERK, exc.message
                return
            issuance.status, issuance.identifier, issuance.last_error = ISSUED, licence.identifier, ""

    def _retry_later(self, case_no: str, item_id: str, reason: str) -> None:
        with self.db.transaction() as session:
            issuance = session.get(Issuance, (case_no, item_id), with_for_update=True)
            if issuance is None or issuance.status != PENDING:
                return
            retry_later(issuance, reason, self.now())

    def overdue(self, today_at: datetime | None = None) -> list[Issuance]:
        """Issuances not issued by their due day (for the workbench and supervision)."""
        today = local_date(utc(today_at or self.now()))
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    select(Issuance)
                    .where(
                        Issuance.status.in_((PENDING, AWAITING_CLERK, AWAITING_PAYMENT)),
                        Issuance.due_on < today,
                    )
                    .order_by(Issuance.due_on)
                )
            )
            session.expunge_all()
        return found
