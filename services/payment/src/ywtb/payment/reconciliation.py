"""日终对账: each Beijing day's statement from the platform compared with the orders, once the day is over —
a payment not yet applied is confirmed (a lost callback), then every line without an order (extra), every
amount that differs (amount) and every order paid that day but absent from the statement (missing) becomes
a mismatch for the finance clerk."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import day_bounds, local_date
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument
from ywtb.common.workers import failure_reason
from ywtb.payment import authz
from ywtb.payment.mismatches import report
from ywtb.payment.models import AMOUNT, EXTRA, MISSING, PaymentOrder, Reconciliation
from ywtb.payment.nontax.platform import NonTaxPlatform
from ywtb.payment.orders import Orders
from ywtb.payment.states import PAID

log = logging.getLogger(__name__)


class Reconciler(Clocked):
    """Compares the platform's daily statements with the orders."""

    def __init__(
        self, db: Database, platform: NonTaxPlatform, orders: Orders, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.platform = platform
        self.orders = orders
        self.clock = clock

    def reconcile(self, day: date) -> Reconciliation:
        """Reconcile one day (again if asked: a mismatch found before is not reported twice)."""
        lines = self.platform.statement(day)
        for line in lines:  # a payment the callbacks and checks missed is applied first
            try:
                self.orders.confirm(line.notice_no, "对账")
            except (
                Exception
            ) as exc:  # an unknown notice is an extra line below; the platform down: a later run
                log.info("statement line %s not applied: %s", line.notice_no, failure_reason(exc))
        now, (start, end) = self.now(), day_bounds(day)
        with self.db.transaction() as session:
            on_statement, matched, mismatched = set(), 0, 0
            for line in lines:
                on_statement.add(line.notice_no)
                order = session.scalar(select(PaymentOrder).where(PaymentOrder.notice_no == line.notice_no))
                if order is None:
                    report(session, EXTRA, line.notice_no, None, line.paid_fen, now)
                elif order.status != PAID or order.paid_fen != line.paid_fen:
                    report(session, AMOUNT, line.notice_no, order, line.paid_fen, now)
                else:
                    matched += 1
                    continue
                mismatched += 1
            paid_here = session.scalars(
                select(PaymentOrder).where(
                    PaymentOrder.status == PAID, PaymentOrder.paid_at >= start, PaymentOrder.paid_at < end
                )
            )
            for order in paid_here:
                if order.notice_no not in on_statement:
                    report(session, MISSING, order.notice_no, order, 0, now)
                    mismatched += 1
            row = session.get(Reconciliation, day) or Reconciliation(day=day)
            row.lines, row.matched, row.mismatched, row.run_at = len(lines), matched, mismatched, now
            session.add(row)
            session.flush()
            session.expunge(row)
        return row

    def reconcile_on_request(self, principal: Principal, day_text: str) -> Reconciliation:
        """A tenant or platform admin reconciles a past day now."""
        authz.require_reconciler(principal)
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            day = None
        if day is None or day >= local_date(self.now()):
            message = "请填写今天以前的对账日期，格式为 YYYY-MM-DD。"
            raise InvalidArgument(message, code="PAYMENT_DAY_INVALID", fields={"day": message})
        return self.reconcile(day)

    def daily_round(self) -> int:
        """Reconcile yesterday (Beijing) once its statement is due; 1 when it ran."""
        yesterday = local_date(self.now()) - timedelta(days=1)
        with self.db.transaction() as session:
            if session.get(Reconciliation, yesterday) is not None:
                return 0
        self.reconcile(yesterday)
        return 1
