"""The record of every change of an order or of one of its refunds (order_transitions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ywtb.payment.models import OrderTransition


@dataclass(frozen=True)
class Change:
    """What changed: the order (and refund), from and to which status."""

    order_no: str
    from_status: str
    to_status: str
    refund_no: str = ""


def record(session: Session, change: Change, cause: str, actor: str, now: datetime) -> None:
    """Add the change's transition row, why, by whom, when (in the transaction that made it)."""
    session.add(
        OrderTransition(
            order_no=change.order_no,
            refund_no=change.refund_no,
            from_status=change.from_status,
            to_status=change.to_status,
            cause=cause,
            actor=actor,
            at=now,
        )
    )
