"""The simulator's SQLite tables: notices, their refunds and the callbacks still to deliver (its own outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the simulator's file (created at start; no migrations, it is a test tool)."""


class NoticeRow(Base):
    """One 缴款通知书 and, once paid, its payment."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_no: Mapped[str] = mapped_column(String(32), unique=True, default="")
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    tenant: Mapped[str] = mapped_column(String(6))
    dept: Mapped[str] = mapped_column(String(32))
    payer_name: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Integer)
    items_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(
        String(10)
    )  # unpaid | paid | cancelled (expired is read off expires_at)
    paid_fen: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    receipt_no: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = mapped_column(String(20), default="")


class CallbackRow(Base):
    """One callback to deliver (a duplicate is a second row); retried until delivered or given up."""

    __tablename__ = "callbacks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_no: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | delivered | failed
    last_error: Mapped[str] = mapped_column(String(200), default="")


class RefundRow(Base):
    """One 退付 of a paid notice: processing until due_at, then refunded; or failed at once."""

    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    notice_no: Mapped[str] = mapped_column(String(32), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))  # processing | refunded | failed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )  # processing's end
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    failure: Mapped[str] = mapped_column(String(200), default="")
