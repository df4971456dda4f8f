"""The one place that allows a payment order's or a refund's state to change.

order:  created ──▶ notified ──▶ paid
           │            ├──────▶ expired ──(late payment accepted, a recorded decision)──▶ paid
           │            │           └──────▶ cancelled (replaced by a clerk-made order)
           ├──(fully exempted: nothing to pay)──▶ paid
           └────────────┴──────▶ cancelled
refund: created ──▶ submitted ──▶ refunded
                        └───────▶ failed
"""

from __future__ import annotations

from ywtb.common.errors import FailedPrecondition

CREATED, NOTIFIED, PAID, EXPIRED, CANCELLED = "created", "notified", "paid", "expired", "cancelled"
SUBMITTED, REFUNDED, FAILED = "submitted", "refunded", "failed"
LATE_PAYMENT_ACCEPTED = "late_payment_accepted"
FULLY_EXEMPTED = "fully_exempted"

ORDER_MOVES: dict[str, frozenset[str]] = {
    CREATED: frozenset({NOTIFIED, PAID, CANCELLED}),  # to paid only when FULLY_EXEMPTED
    NOTIFIED: frozenset({PAID, EXPIRED, CANCELLED}),
    EXPIRED: frozenset({PAID, CANCELLED}),  # to paid only with LATE_PAYMENT_ACCEPTED
    PAID: frozenset(),
    CANCELLED: frozenset(),
}
REFUND_MOVES: dict[str, frozenset[str]] = {
    CREATED: frozenset({SUBMITTED}),
    SUBMITTED: frozenset({REFUNDED, FAILED}),
    REFUNDED: frozenset(),
    FAILED: frozenset(),
}
ORDER_LABELS = {
    CREATED: "待通知",
    NOTIFIED: "待缴费",
    PAID: "已缴费",
    EXPIRED: "已过期",
    CANCELLED: "已取消",
}
REFUND_LABELS = {CREATED: "已创建", SUBMITTED: "退款中", REFUNDED: "已退款", FAILED: "退款失败"}


def order_move(current: str, target: str, decision: str = "") -> str:
    """The order's next status; FailedPrecondition when the move is not allowed (an expired order is paid
    only on a recorded decision to accept the late payment, an unnotified one only when nothing is owed)."""
    allowed = target in ORDER_MOVES.get(current, frozenset())
    needed = {(EXPIRED, PAID): LATE_PAYMENT_ACCEPTED, (CREATED, PAID): FULLY_EXEMPTED}.get((current, target))
    if needed and decision != needed:
        allowed = False
    if not allowed:
        raise FailedPrecondition(
            f"缴费订单{ORDER_LABELS.get(current, current)}，不能变为{ORDER_LABELS.get(target, target)}。",
            code="PAYMENT_STATE",
            message_en=f"order {current} cannot become {target}",
        )
    return target


def refund_move(current: str, target: str) -> str:
    """The refund's next status; FailedPrecondition when the move is not allowed."""
    if target not in REFUND_MOVES.get(current, frozenset()):
        raise FailedPrecondition(
            f"退款{REFUND_LABELS.get(current, current)}，不能变为{REFUND_LABELS.get(target, target)}。",
            code="PAYMENT_STATE",
            message_en=f"refund {current} cannot become {target}",
        )
    return target
