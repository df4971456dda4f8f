"""The simulator's SQLite table: every message it sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the simulator's file (created at start; no migrations, it is a test tool)."""


class MessageRow(Base):
    """One message sent to a number (a message_no is sent once, whatever the retries)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_mobile_day", "mobile", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(32), unique=True)
    message_no: Mapped[str] = mapped_column(String(64), unique=True)
    tenant: Mapped[str] = mapped_column(String(6))
    mobile: Mapped[str] = mapped_column(String(11))
    template: Mapped[str] = mapped_column(String(40))
    params_json: Mapped[str] = mapped_column(Text)  # sorted keys: equal params, equal text
    text: Mapped[str] = mapped_column(Text)
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, Beijing: the daily limit's day
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
