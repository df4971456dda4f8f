"""Payment tables; the metadata holds the outbox and the inbox. Money is integer fen (分) throughout."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("payment")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the payment database."""

    metadata = metadata


class Charge(TenantMixin, Base):
    """收费节点: a case that reached acceptance or approval, waiting to have its fee order made (or none)."""

    __tablename__ = "charges"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    order_no: Mapped[str] = mapped_column(String(32), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Charge statuses: waiting for its point or a peer, ordered, or nothing to charge.
WAITING, ORDERED, FREE = "waiting", "ordered", "free"


class PaymentOrder(TenantMixin, Base):
    """缴费订单: the fees of one case, in fen, and where their payment stands."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_orders_idempotency"),)
    order_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    case_no: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    payer_name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64), index=True, default="")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), index=True)
    notice_no: Mapped[str] = mapped_column(String(64), default="", index=True)
    pay_url: Mapped[str] = mapped_column(String(300), default="")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    channel: Mapped[str] = mapped_column(String(20), default="")
    receipt_no: Mapped[str] = mapped_column(String(64), default="")  # 财政电子票据号
    created_by: Mapped[str] = mapped_column(String(64))
    # A clerk-made order's Idempotency-Key and its request's digest (none for the charging point's own).
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Refund(TenantMixin, Base):
    """退款: part or all of a paid order's money given back to its payer through the platform."""

    __tablename__ = "refunds"
    __table_args__ = (UniqueConstraint("requested_by", "idempotency_key", name="uq_refunds_idempotency"),)
    refund_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), index=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    case_no: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), index=True)
    failure: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OrderTransition(Base):
    """One state change of an order or of one of its refunds: from what to what, why, by whom, when."""

    __tablename__ = "order_transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_no: Mapped[str] = mapped_column(String(32), index=True)
    refund_no: Mapped[str] = mapped_column(
        String(32), default="", server_default=""
    )  # set when a refund of the order moved
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    cause: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Mismatch(Base):
    """对账差异: the platform's record of a payment disagrees with the order's; a finance clerk resolves it."""

    __tablename__ = "mismatches"
    __table_args__ = (UniqueConstraint("kind", "notice_no", name="uq_mismatches_kind_notice"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # the Beijing day it concerns
    kind: Mapped[str] = mapped_column(String(12))
    notice_no: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(32), default="")
    tenant: Mapped[str] = mapped_column(String(6), default="", index=True)  # "" for a payment of no order
    dept: Mapped[str] = mapped_column(String(18), default="", index=True)
    expected_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    platform_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), index=True)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str] = mapped_column(String(200), default="")
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# Mismatch kinds: paid ≠ owed, paid after expiry, paid here but not on the statement, on it but no order here.
AMOUNT, LATE, MISSING, EXTRA = "amount", "late", "missing", "extra"
OPEN_MISMATCH, RESOLVED = "open", "resolved"


class Reconciliation(Base):
    """One day's statement compared with the orders (日终对账)."""

    __tablename__ = "reconciliations"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lines: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    mismatched: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SeenNonce(Base):
    """A nonce of a verified platform callback, remembered until its signature's window has passed."""

    __tablename__ = "seen_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
