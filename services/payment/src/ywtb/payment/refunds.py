"""退款: part or all of a paid order given back through the platform — asked under an Idempotency-Key,
against the amount the caller saw as refundable, and never beyond what was paid, whatever races it.

The request is recorded under the order's row lock (so of two concurrent refunds of the rest, one wins and
the other finds the refundable amount changed); the platform is asked outside any transaction (its refund
is idempotent by refund number) and its answer applied under the refund's row lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.api.payment.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PreconditionFailed
from ywtb.common.idempotency import idempotency_key, request_digest, require_same_request
from ywtb.common.money import yuan
from ywtb.common.timestamps import timestamp
from ywtb.common.workers import failure_reason
from ywtb.payment import authz
from ywtb.payment.events import publish
from ywtb.payment.models import PaymentOrder, Refund
from ywtb.payment.nontax.platform import (
    NonTaxPlatform,
    PlatformRefused,
    PlatformUnavailable,
    RefundRequest,
    RefundStatus,
)
from ywtb.payment.orders import SYSTEM_ACTOR, new_number
from ywtb.payment.reasons import reason_of
from ywtb.payment.states import CREATED, FAILED, PAID, REFUNDED, SUBMITTED, refund_move
from ywtb.payment.transitions import Change, record

log = logging.getLogger(__name__)

ROUND_SIZE = 20


@dataclass(frozen=True)
class RefundAsk:
    """What a department admin asks: how much of which order, why, and what they saw as refundable."""

    order_no: str
    amount_fen: int
    expected_refundable_fen: int
    reason: str
    idempotency_key: str


def committed_fen(session: Session, order_no: str) -> int:
    """What the order's refunds hold or gave back (every refund but a failed one)."""
    held = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
            Refund.order_no == order_no, Refund.status != FAILED
        )
    )
    return int(held or 0)


def left_to_refund(paid_fen: int, refunds: list[Refund]) -> int:
    """What the order's refunds leave refundable: paid less every refund but a failed one."""
    return paid_fen - sum(r.amount_fen for r in refunds if r.status != FAILED)


def _move(session: Session, refund: Refund, target: str, cause: str, actor: str, now: datetime) -> None:
    previous = refund.status
    refund.status = refund_move(previous, target)
    refund.updated_at = now
    record(session, Change(refund.order_no, previous, target, refund.refund_no), cause, actor, now)


class Refunds(Clocked):
    """Refunds of paid orders."""

    def __init__(self, db: Database, platform: NonTaxPlatform, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.platform = platform
        self.clock = clock

    def request(self, principal: Principal, ask: RefundAsk) -> tuple[Refund, bool]:
        """Record the refund and submit it; the refund this key made before (True) when it is a retry."""
        key = idempotency_key(ask.idempotency_key)
        reason = reason_of(ask.reason, "请填写退款原因（2 至 200 字），例如重复缴费或申请已撤回。")
        if ask.amount_fen <= 0:
            message = "退款金额须大于零。"
            raise InvalidArgument(message, fields={"amount_fen": message})
        digest = request_digest(
            {
                "order": ask.order_no,
                "amount": ask.amount_fen,
                "expected": ask.expected_refundable_fen,
                "reason": reason,
            }
        )
        earlier = self._replay(principal, key, digest)
        if earlier is not None:
            return earlier, True
        try:
            refund_no = self._record(principal, ask, reason, key, digest)
        except IntegrityError:  # a concurrent retry with the same key won
            earlier = self._replay(principal, key, digest)
            if earlier is None:
                raise
            return earlier, True
        return self.submit(refund_no), False

    def _record(self, principal: Principal, ask: RefundAsk, reason: str, key: str, digest: str) -> str:
        now = self.now()
        with self.db.transaction() as session:
            order = session.get(PaymentOrder, ask.order_no, with_for_update=True)
            if order is None:
                raise NotFound("未找到该缴费订单。", code="PAYMENT_ORDER_NOT_FOUND")
            authz.require_department_role(principal, order, authz.FINANCE_ROLES)
            if order.status != PAID:
                raise FailedPrecondition("只有已缴费的订单才能退款。", code="PAYMENT_STATE")
            refundable = order.paid_fen - committed_fen(session, order.order_no)
            if ask.expected_refundable_fen != refundable:
                raise PreconditionFailed(
                    f"该订单可退金额已变为 {yuan(refundable)} 元（您核对时为 {yuan(ask.expected_refundable_fen)}"
                    " 元），可能已有其他退款；请刷新后重新核对。",
                    code="PAYMENT_REFUNDABLE_CHANGED",
                    message_en=f"refundable is {refundable} fen, not {ask.expected_refundable_fen}",
                )
            if ask.amount_fen > refundable:
                message = f"退款金额不能超过可退金额 {yuan(refundable)} 元。"
                raise InvalidArgument(
                    message, code="PAYMENT_REFUND_EXCEEDS_PAID", fields={"amount_fen": message}
                )
            refund = Refund(
                refund_no=new_number("RF", now),
                order_no=order.order_no,
                tenant=order.tenant,
                dept=order.dept,
                case_no=order.case_no,
                amount_fen=ask.amount_fen,
                reason=reason,
                status=CREATED,
                failure="",
                idempotency_key=key,
                request_hash=digest,
                requested_by=principal.subject,
                created_at=now,
                updated_at=now,
            )
            session.add(refund)
            change = Change(order.order_no, "", CREATED, refund.refund_no)
            record(session, change, f"申请退款：{reason}", principal.subject, now)
            session.flush()
            return refund.refund_no

    def _replay(self, principal: Principal, key: str, digest: str) -> Refund | None:
        with self.db.transaction() as session:
            refund = session.scalar(
                select(Refund).where(Refund.requested_by == principal.subject, Refund.idempotency_key == key)
            )
            if refund is None:
                return None
            require_same_request(refund.request_hash, digest, "笔退款")
            session.expunge(refund)
            return refund

    def submit(self, refund_no: str) -> Refund:
        """Ask the platform for the refund (again, if it was not reached); the refund as it then stands."""
        with self.db.transaction() as session:
            refund = session.get(Refund, refund_no)
            order = session.get(PaymentOrder, refund.order_no) if refund else None
            if refund is None or order is None:
                raise NotFound("未找到该退款。", code="PAYMENT_REFUND_NOT_FOUND")
            request = RefundRequest(refund.refund_no, order.notice_no, refund.amount_fen, refund.reason)
            session.expunge(refund)
        if refund.status != CREATED:
            return refund
        try:
            status = self.platform.refund(request)
        except PlatformRefused as refused:
            return self._apply(refund_no, None, refused.message)
        except PlatformUnavailable as error:  # kept created: the refund round submits it again
            log.warning("refund %s not submitted: %s", refund_no, error)
            return refund
        return self._apply(refund_no, status, "")

    def _apply(self, refund_no: str, status: RefundStatus | None, refusal: str) -> Refund:
        now = self.now()
        with self.db.transaction() as session:
            refund = session.get(Refund, refund_no, with_for_update=True)
            assert refund is not None
            if refund.status == CREATED:
                _move(session, refund, SUBMITTED, "已提交缴款平台", SYSTEM_ACTOR, now)
            if refund.status == SUBMITTED:
                if refusal or (status is not None and status.state == "failed"):
                    refund.failure = (refusal or (status.failure if status else ""))[:200]
                    _move(session, refund, FAILED, f"平台退付失败：{refund.failure}", SYSTEM_ACTOR, now)
                elif status is not None and status.state == "refunded":
                    refund.refunded_at = utc(status.refunded_at or now)
                    _move(session, refund, REFUNDED, "平台已退付", SYSTEM_ACTOR, now)
                    self._publish_refunded(session, refund)
            session.flush()
            session.expunge(refund)
        return refund

    @staticmethod
    def _publish_refunded(session: Session, refund: Refund) -> None:
        event = events_pb2.PaymentRefunded(
            refund_no=refund.refund_no,
            order_no=refund.order_no,
            tenant=refund.tenant,
            dept=refund.dept,
            case_no=refund.case_no,
            amount_fen=refund.amount_fen,
            reason=refund.reason,
            refunded_at=timestamp(utc(refund.refunded_at or refund.updated_at)),
        )
        publish(session, event, key=refund.order_no, tenant=refund.tenant)

    def run_round(self) -> int:
        """Submit the refunds the platform was not reached for, ask after the submitted ones; how many ended."""
        with self.db.transaction() as session:
            pending = list(
                session.execute(
                    select(Refund.refund_no, Refund.status)
                    .where(Refund.status.in_((CREATED, SUBMITTED)))
                    .order_by(Refund.updated_at)
                    .limit(ROUND_SIZE)
                )
            )
        ended = 0
        for refund_no, status in pending:
            try:
                if status == CREATED:
                    after = self.submit(refund_no)
                else:
                    after = self._apply(refund_no, self.platform.refund_status(refund_no), "")
            except Exception as exc:  # the platform unreachable: the next round asks again
                log.warning("refund %s unsettled: %s", refund_no, failure_reason(exc))
                continue
            ended += after.status in (REFUNDED, FAILED)
        return ended

    def of_orders(self, order_nos: list[str]) -> dict[str, list[Refund]]:
        """The refunds of these orders (already read under their reader's rights), oldest first."""
        found: dict[str, list[Refund]] = {order_no: [] for order_no in order_nos}
        if not order_nos:
            return found
        with self.db.transaction() as session:
            for refund in session.scalars(
                select(Refund).where(Refund.order_no.in_(order_nos)).order_by(Refund.created_at)
            ):
                found[refund.order_no].append(refund)
            session.expunge_all()
        return found
