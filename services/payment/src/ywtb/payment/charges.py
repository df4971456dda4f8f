"""收费节点: a case that is accepted, then approved, is charged at its item's charging point.

The consumer only records the case (its inbox row commits with the record); the charge round then reads
the case's holder (intake) and its item version's fees and charging point (catalogue) and makes the order
— or closes the charge when the item charges nothing online. A failed read is retried with backoff.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.common.case_facts import CaseFacts
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.workers import failure_reason, retry_later
from ywtb.payment.fees import charged_now, fee_lines, total_fen
from ywtb.payment.models import FREE, ORDERED, WAITING, Charge
from ywtb.payment.orders import Orders

log = logging.getLogger(__name__)

ROUND_SIZE = 20
AT_APPROVAL = "at_approval"  # the item charges after approval, which has not come yet


class Charges(Clocked):
    """Cases waiting to be charged."""

    def __init__(self, db: Database, facts: CaseFacts, orders: Orders, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.facts = facts
        self.orders = orders
        self.clock = clock

    def record(
        self,
        session: Session,
        case: tuple[str, str, str, str],
        *,
        accepted_at: datetime | None = None,
        approved_at: datetime | None = None,
    ) -> None:
        """Note the case's acceptance or approval (case = case number, item, tenant, department), in the
        consumer's transaction; an approval wakes a charge waiting for it."""
        case_no, item_id, tenant, dept = case
        charge = session.get(Charge, (case_no, item_id), with_for_update=True)
        now = self.now()
        if charge is None:
            charge = Charge(
                case_no=case_no,
                item_id=item_id,
                tenant=tenant,
                dept=dept,
                status=WAITING,
                order_no="",
                attempts=0,
                last_error="",
                next_at=now,
                updated_at=now,
            )
            session.add(charge)
        charge.accepted_at = charge.accepted_at or accepted_at
        charge.approved_at = charge.approved_at or approved_at
        if approved_at is not None and charge.status == AT_APPROVAL:
            charge.status, charge.next_at = WAITING, now
        charge.updated_at = now

    def run_round(self) -> int:
        """Try the charges that are due a try; how many were settled (ordered or free)."""
        now = self.now()
        with self.db.transaction() as session:
            due = session.execute(
                select(Charge.case_no, Charge.item_id)
                .where(Charge.status == WAITING, or_(Charge.next_at.is_(None), Charge.next_at <= now))
                .order_by(Charge.next_at)
                .limit(ROUND_SIZE)
            ).all()
        return sum(self._try(case_no, item_id) for case_no, item_id in due)

    def _try(self, case_no: str, item_id: str) -> bool:
        try:
            order_no = self._charge(case_no, item_id)
        except Exception as exc:  # intake or the catalogue unreachable, a database error: later
            reason = failure_reason(exc)
            log.warning("charge of case %s failed: %s", case_no, reason)
            self._retry_later(case_no, item_id, reason)
            return False
        if order_no:
            try:
                self.orders.notify(order_no)
            except Exception as exc:  # the order stays created; the notice round asks again
                log.warning("notice of order %s failed: %s", order_no, failure_reason(exc))
        return True

    def _charge(self, case_no: str, item_id: str) -> str:
        holder = self.facts.holder(case_no, [])
        guide = self.facts.guide(item_id, holder.item_version)
        with self.db.transaction() as session:
            charge = session.get(Charge, (case_no, item_id), with_for_update=True)
            if charge is None or charge.status != WAITING:
                return ""
            charge.updated_at = self.now()
            lines = fee_lines(guide)
            if not guide.online_payment or not lines:
                charge.status = FREE
                return ""
            if not charged_now(guide, charge.approved_at is not None):
                charge.status = AT_APPROVAL
                return ""
            case = {
                "case_no": case_no,
                "item_id": item_id,
                "tenant": charge.tenant,
                "dept": charge.dept,
                "payer_name": holder.holder_name,
                "owner": holder.owner,
            }
            order = self.orders.create(session, case, lines, total_fen(lines))
            charge.status, charge.order_no, charge.last_error = ORDERED, order.order_no, ""
            return order.order_no

    def _retry_later(self, case_no: str, item_id: str, reason: str) -> None:
        with self.db.transaction() as session:
            charge = session.get(Charge, (case_no, item_id), with_for_update=True)
            if charge is None or charge.status != WAITING:
                return
            retry_later(charge, reason, self.now())
