"""缴费订单: an order per case made at the charging point, its payment notice from the non-tax platform, and
its payment — confirmed by the platform's status, never by a callback alone, and marked paid exactly once.

Each use case owns its transaction; the platform is called outside any transaction (its notice is
idempotent by order number), and its answer is applied under the order's row lock.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ywtb.api.payment.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, NotFound
from ywtb.common.timestamps import timestamp
from ywtb.common.workers import failure_reason
from ywtb.payment import authz
from ywtb.payment.events import publish
from ywtb.payment.fees import line_fen
from ywtb.payment.mismatches import report, resolve_found
from ywtb.payment.models import AMOUNT, LATE, PaymentOrder
from ywtb.payment.nontax.platform import NonTaxPlatform, NoticeRequest, NoticeStatus
from ywtb.payment.reasons import reason_of
from ywtb.payment.states import CANCELLED, CREATED, EXPIRED, LATE_PAYMENT_ACCEPTED, NOTIFIED, PAID, order_move
from ywtb.payment.transitions import Change, record

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
ROUND_SIZE = 20


def new_number(prefix: str, now: datetime) -> str:
    """An order (PO) or refund (RF) number: the prefix, the day (Beijing), 12 random digits."""
    return f"{prefix}{local_date(now):%Y%m%d}{secrets.randbelow(10**12):012d}"


def move(
    session: Session,
    order: PaymentOrder,
    target: str,
    cause: str,
    actor: str,
    now: datetime,
    decision: str = "",
) -> None:
    """Change the order's status through the state machine, with its transition record."""
    previous = order.status
    order.status = order_move(previous, target, decision)
    order.updated_at = now
    record(session, Change(order.order_no, previous, target), cause, actor, now)


def publish_paid(session: Session, order: PaymentOrder) -> None:
    """payment.paid of the order, in the transaction that marked it paid."""
    event = events_pb2.PaymentPaid(
        order_no=order.order_no,
        tenant=order.tenant,
        dept=order.dept,
        case_no=order.case_no,
        item_id=order.item_id,
        paid_fen=order.paid_fen,
        paid_at=timestamp(utc(order.paid_at or order.updated_at)),
        receipt_no=order.receipt_no,
    )
    publish(session, event, key=order.order_no, tenant=order.tenant)


class Orders(Clocked):
    """Orders, their notices and their payments."""

    def __init__(
        self, db: Database, platform: NonTaxPlatform, *, notice_days: int = 15, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.platform = platform
        self.notice_days = notice_days
        self.clock = clock

    def create(
        self,
        session: Session,
        case: dict[str, str],
        lines: list[dict[str, Any]],
        total: int,
        *,
        made_by: str = SYSTEM_ACTOR,
        cause: str = "收费节点",
        key: str | None = None,
        digest: str = "",
    ) -> PaymentOrder:
        """A new order of a case (in the caller's transaction), waiting for its notice; made at the charging
        point, or by a clerk under an Idempotency-Key."""
        now = self.now()
        order = PaymentOrder(
            order_no=new_number("PO", now),
            tenant=case["tenant"],
            dept=case["dept"],
            case_no=case["case_no"],
            item_id=case["item_id"],
            payer_name=case["payer_name"],
            owner=case["owner"],
            lines=lines,
            total_fen=total,
            status=CREATED,
            expires_at=now + timedelta(days=self.notice_days),
            created_by=made_by,
            idempotency_key=key,
            request_hash=digest,
            created_at=now,
            updated_at=now,
        )
        session.add(order)
        record(session, Change(order.order_no, "", CREATED), cause, made_by, now)
        session.flush()
        return order

    def notify(self, order_no: str) -> bool:
        """Ask the platform for the order's payment notice; True once the order is notified."""
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, order_no)
            if order is None or order.status != CREATED:
                return order is not None
            request = NoticeRequest(
                order_no=order.order_no,
                tenant=order.tenant,
                dept=order.dept,
                payer_name=order.payer_name,
                amount_fen=order.total_fen,
                items=tuple((line["name"], fen) for line in order.lines if (fen := line_fen(line)) > 0),
                expires_at=utc(order.expires_at),
            )
        notice = self.platform.issue_notice(request)
        now = self.now()
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, order_no, with_for_update=True)
            if order is None or order.status != CREATED:
                return True
            order.notice_no, order.pay_url, order.expires_at = (
                notice.notice_no,
                notice.pay_url,
                utc(notice.expires_at),
            )
            move(session, order, NOTIFIED, "缴款通知书已开具", SYSTEM_ACTOR, now)
            event = events_pb2.OrderNotified(
                order_no=order.order_no,
                tenant=order.tenant,
                dept=order.dept,
                case_no=order.case_no,
                item_id=order.item_id,
                total_fen=order.total_fen,
                expires_at=timestamp(utc(order.expires_at)),
            )
            publish(session, event, key=order.order_no, tenant=order.tenant)
        return True

    def notify_round(self) -> int:
        """Notices for the orders still waiting for one (the platform was down when they were made)."""
        with self.db.transaction() as session:
            waiting = list(
                session.scalars(
                    select(PaymentOrder.order_no)
                    .where(PaymentOrder.status == CREATED)
                    .order_by(PaymentOrder.created_at)
                    .limit(ROUND_SIZE)
                )
            )
        done = 0
        for order_no in waiting:
            try:
                done += self.notify(order_no)
            except Exception as exc:  # the platform unreachable: the next round tries again
                log.warning("notice of order %s failed: %s", order_no, failure_reason(exc))
        return done

    def confirm(self, notice_no: str, source: str) -> PaymentOrder:
        """Apply what the platform says of a notice (asked now): paid once, or a mismatch reported once."""
        status = self.platform.status(notice_no)
        now = self.now()
        with self.db.transaction() as session:
            order = session.scalar(
                select(PaymentOrder).where(PaymentOrder.notice_no == notice_no).with_for_update()
            )
            if order is None:
                raise NotFound("未找到该缴款通知书对应的订单。", code="PAYMENT_ORDER_NOT_FOUND")
            if status.state == "paid" and order.status != PAID:
                self._paid(session, order, status, source, now)
            elif status.state == "expired" and order.status == NOTIFIED:
                move(session, order, EXPIRED, "缴款期限已过", SYSTEM_ACTOR, now)
            elif status.state == "cancelled" and order.status in (NOTIFIED, EXPIRED):
                move(session, order, CANCELLED, "缴款通知书已撤销", SYSTEM_ACTOR, now)
            session.flush()
            session.expunge(order)
        return order

    def _paid(
        self, session: Session, order: PaymentOrder, status: NoticeStatus, source: str, now: datetime
    ) -> None:
        """Paid once, or a mismatch reported once (paid another amount or after expiry)."""
        kind = ""
        if status.order_no != order.order_no or status.paid_fen != order.total_fen:
            kind = AMOUNT
        elif order.status == EXPIRED:
            kind = LATE
        if kind:
            report(session, kind, order.notice_no, order, status.paid_fen, now)
            return
        order.paid_fen, order.paid_at = status.paid_fen, utc(status.paid_at or now)
        order.channel, order.receipt_no = status.channel, status.receipt_no
        move(session, order, PAID, f"平台确认已缴款（{source}）", SYSTEM_ACTOR, now)
        publish_paid(session, order)

    def accept_late(self, principal: Principal, order_no: str, reason: str) -> PaymentOrder:
        """逾期缴款认可: a department admin's recorded decision that an expired order's payment (the platform
        says it is paid, in full) stands; the late-payment mismatch is resolved with the same reason."""
        reason = reason_of(reason, "请填写认可逾期缴款的理由（2 至 200 字），例如已核实缴款人在期限内缴款。")
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, order_no)
            if order is None:
                raise NotFound("未找到该缴费订单。", code="PAYMENT_ORDER_NOT_FOUND")
            authz.require_department_role(principal, order, authz.FINANCE_ROLES)
            if order.status != EXPIRED:
                raise FailedPrecondition("只有已过期的订单才能认可逾期缴款。", code="PAYMENT_STATE")
        status = self.platform.status(order.notice_no)
        if status.state != "paid" or status.paid_fen != order.total_fen or status.order_no != order.order_no:
            raise FailedPrecondition(
                "缴款平台未显示该订单已足额缴款，不能认可；请核实后再办理。",
                code="PAYMENT_NOT_PAID_ON_PLATFORM",
            )
        now = self.now()
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, order_no, with_for_update=True)
            assert order is not None
            order.paid_fen, order.paid_at = status.paid_fen, utc(status.paid_at or now)
            order.channel, order.receipt_no = status.channel, status.receipt_no
            move(
                session, order, PAID, f"认可逾期缴款：{reason}", principal.subject, now, LATE_PAYMENT_ACCEPTED
            )
            publish_paid(session, order)
            resolve_found(session, LATE, order.notice_no, reason, principal.subject, now)
            session.flush()
            session.expunge(order)
        return order

    def check_round(self, older_than_s: float = 60.0) -> int:
        """Early reconciliation: ask the platform about notified orders quiet for a while (a lost callback is
        found here) and about the ones past their time (expired unless paid); how many changed."""
        cutoff = self.now() - timedelta(seconds=older_than_s)
        with self.db.transaction() as session:
            quiet = list(
                session.execute(
                    select(PaymentOrder.notice_no, PaymentOrder.status)
                    .where(PaymentOrder.status == NOTIFIED, PaymentOrder.updated_at <= cutoff)
                    .order_by(PaymentOrder.updated_at)
                    .limit(ROUND_SIZE)
                )
            )
        changed = 0
        for notice_no, before in quiet:
            try:
                changed += self.confirm(notice_no, "状态查询").status != before
            except Exception as exc:  # the platform unreachable: the next round asks again
                log.warning("status of notice %s unknown: %s", notice_no, failure_reason(exc))
        with self.db.transaction() as session:  # asked again only after another quiet spell
            session.execute(
                update(PaymentOrder)
                .where(PaymentOrder.notice_no.in_([n for n, _ in quiet]), PaymentOrder.status == NOTIFIED)
                .values(updated_at=self.now())
            )
        return changed

    def get(self, order_no: str) -> PaymentOrder:
        """The order as it stands (for the use case that just changed it)."""
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, order_no)
            if order is None:
                raise NotFound("未找到该缴费订单。", code="PAYMENT_ORDER_NOT_FOUND")
            session.expunge(order)
        return order

    def of_case(self, principal: Principal, case_no: str) -> list[PaymentOrder]:
        """A case's orders, oldest first, to its applicant and its department's staff."""
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    select(PaymentOrder)
                    .where(PaymentOrder.case_no == case_no)
                    .order_by(PaymentOrder.created_at)
                )
            )
            for order in found:
                authz.require_order_read(principal, order)
            session.expunge_all()
        return found

    def of_department(
        self, principal: Principal, status: str = "", case_no: str = "", page_size: int = 50, offset: int = 0
    ) -> list[PaymentOrder]:
        """The orders of the caller's department, newest first; by status and case number when given."""
        authz.require_department_staff(principal)
        statement = select(PaymentOrder).where(
            PaymentOrder.tenant == principal.tenant, PaymentOrder.dept == principal.dept
        )
        if status:
            statement = statement.where(PaymentOrder.status == status)
        if case_no.strip():
            statement = statement.where(PaymentOrder.case_no == case_no.strip())
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    statement.order_by(PaymentOrder.created_at.desc(), PaymentOrder.order_no)
                    .limit(min(max(page_size or 50, 1), 100))
                    .offset(max(offset, 0))
                )
            )
            session.expunge_all()
        return found

    def mine(self, principal: Principal, page_size: int = 50, offset: int = 0) -> list[PaymentOrder]:
        """The caller's orders, newest first."""
        authz.require_applicant(principal)
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    select(PaymentOrder)
                    .where(PaymentOrder.owner == principal.subject)
                    .order_by(PaymentOrder.created_at.desc(), PaymentOrder.order_no)
                    .limit(min(max(page_size or 50, 1), 100))
                    .offset(max(offset, 0))
                )
            )
            session.expunge_all()
        return found
