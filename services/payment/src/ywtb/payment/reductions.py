"""减免: a clerk re-issues a case's unpaid order with reductions or exemptions, each with its basis, under an
Idempotency-Key. The unpaid order is cancelled (its notice too, on the platform) and a new one takes its
place; an order reduced to nothing is paid at once by the recorded exemption.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clocked
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.common.idempotency import idempotency_key, request_digest, require_same_request
from ywtb.common.money import yuan
from ywtb.common.workers import failure_reason
from ywtb.payment import authz
from ywtb.payment.fees import total_fen
from ywtb.payment.models import Charge, PaymentOrder
from ywtb.payment.nontax.platform import PlatformRefused
from ywtb.payment.orders import Orders, move, publish_paid
from ywtb.payment.reasons import reason_of
from ywtb.payment.states import CANCELLED, EXPIRED, FULLY_EXEMPTED, NOTIFIED, PAID

log = logging.getLogger(__name__)

PAID_ALREADY = "该办件已缴费，不能重新开具订单；如需减免，请办理退款。"


@dataclass(frozen=True)
class Reduction:
    """A reduction of one fee (by its name), in fen, and its basis (减免依据)."""

    fee_name: str
    reduction_fen: int
    basis: str


@dataclass(frozen=True)
class OrderAsk:
    """A clerk's new order of a case: the reductions (none restores the standard amounts) and why."""

    case_no: str
    reductions: tuple[Reduction, ...]
    reason: str
    idempotency_key: str


def reduced_lines(lines: list[dict[str, Any]], reductions: tuple[Reduction, ...]) -> list[dict[str, Any]]:
    """The fees with these reductions instead of any earlier ones; InvalidArgument for a wrong one."""
    by_name = {line["name"]: line for line in (copy.deepcopy(line) for line in lines)}
    for line in by_name.values():
        line["reduction_fen"], line["reduction_basis"] = 0, ""
    for index, reduction in enumerate(reductions):
        field = f"reductions[{index}]"
        found = by_name.get(reduction.fee_name)
        if found is None:
            message = f"收费项目“{reduction.fee_name[:40]}”不在该办件的收费清单中。"
            raise InvalidArgument(message, fields={field: message})
        line = found
        owed = line["amount_fen"] * line["quantity"]
        if not 0 < reduction.reduction_fen <= owed:
            message = f"“{line['name']}”的减免金额须大于零且不超过 {yuan(owed)} 元。"
            raise InvalidArgument(message, fields={field: message})
        line["reduction_fen"] = reduction.reduction_fen
        line["reduction_basis"] = reason_of(
            reduction.basis, f"请填写“{line['name']}”的减免依据（2 至 200 字），例如文件名称和文号。", field
        )
    return list(by_name.values())


class Reductions(Clocked):
    """Clerk-made orders of a case."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.db = orders.db
        self.platform = orders.platform
        self.clock = orders.clock

    def make(self, principal: Principal, ask: OrderAsk) -> tuple[PaymentOrder, bool]:
        """The new order (or the one this key made before, True); the unpaid one it replaces is cancelled."""
        key = idempotency_key(ask.idempotency_key)
        reason = reason_of(ask.reason, "请填写重新开具订单的原因（2 至 200 字），例如依申请减免。")
        digest = request_digest(
            {"case": ask.case_no, "reductions": [r.__dict__ for r in ask.reductions], "reason": reason}
        )
        earlier = self._replay(principal, key, digest)
        if earlier is not None:
            return earlier, True
        with self.db.transaction() as session:
            current = session.scalar(
                select(PaymentOrder)
                .where(PaymentOrder.case_no == ask.case_no, PaymentOrder.status != CANCELLED)
                .order_by(PaymentOrder.created_at.desc())
                .limit(1)
            )
            if current is None:
                raise NotFound(
                    "该办件没有缴费订单（尚未到收费节点，或事项不在网上收费）。",
                    code="PAYMENT_ORDER_NOT_FOUND",
                )
            authz.require_department_role(principal, current, authz.ORDER_MAKER_ROLES)
            if current.status == PAID:
                raise FailedPrecondition(PAID_ALREADY, code="PAYMENT_STATE")
            lines = reduced_lines(current.lines, ask.reductions)
            previous, notice_no, status = current.order_no, current.notice_no, current.status
        if notice_no and status in (NOTIFIED, EXPIRED):
            try:
                self.platform.cancel(notice_no)
            except PlatformRefused as refused:  # paid meanwhile: take the payment, make nothing new
                log.info("notice %s not cancelled: %s", notice_no, refused)
                self.orders.confirm(notice_no, "撤销前查询")
                raise FailedPrecondition(PAID_ALREADY, code="PAYMENT_STATE") from refused
        try:
            order = self._replace(principal, previous, lines, reason, key, digest)
        except IntegrityError:  # a concurrent retry with the same key won
            earlier = self._replay(principal, key, digest)
            if earlier is None:
                raise
            return earlier, True
        if order.status != PAID:
            try:
                self.orders.notify(order.order_no)
            except Exception as exc:  # the order stays created; the notice round asks again
                log.warning("notice of order %s failed: %s", order.order_no, failure_reason(exc))
        return self.orders.get(order.order_no), False

    def _replace(
        self,
        principal: Principal,
        previous_no: str,
        lines: list[dict[str, Any]],
        reason: str,
        key: str,
        digest: str,
    ) -> PaymentOrder:
        now = self.now()
        with self.db.transaction() as session:
            previous = session.get(PaymentOrder, previous_no, with_for_update=True)
            assert previous is not None
            if previous.status in (PAID, CANCELLED):
                raise FailedPrecondition(PAID_ALREADY, code="PAYMENT_STATE")
            move(session, previous, CANCELLED, f"重新开具订单：{reason}", principal.subject, now)
            case = {
                "case_no": previous.case_no,
                "item_id": previous.item_id,
                "tenant": previous.tenant,
                "dept": previous.dept,
                "payer_name": previous.payer_name,
                "owner": previous.owner,
            }
            total = total_fen(lines)
            order = self.orders.create(
                session,
                case,
                lines,
                total,
                made_by=principal.subject,
                cause=f"重新开具（替代 {previous_no}）：{reason}",
                key=key,
                digest=digest,
            )
            if total == 0:
                order.paid_at = now
                move(session, order, PAID, "全额减免，无需缴款", principal.subject, now, FULLY_EXEMPTED)
                publish_paid(session, order)
            session.execute(
                update(Charge).where(Charge.order_no == previous_no).values(order_no=order.order_no)
            )
            session.flush()
            session.expunge(order)
        return order

    def _replay(self, principal: Principal, key: str, digest: str) -> PaymentOrder | None:
        with self.db.transaction() as session:
            order = session.scalar(
                select(PaymentOrder).where(
                    PaymentOrder.created_by == principal.subject, PaymentOrder.idempotency_key == key
                )
            )
            if order is None:
                return None
            require_same_request(order.request_hash, digest, "份订单")
            session.expunge(order)
            return order
