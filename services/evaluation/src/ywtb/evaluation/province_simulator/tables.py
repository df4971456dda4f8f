"""The simulator's SQLite tables: the reports it holds (the latest revision of each rating) and every delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the simulator's file (created at start; no migrations, it is a test tool)."""


class ReportRow(Base):
    """One rating as the province holds it: its latest revision."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rating_id: Mapped[str] = mapped_column(String(64), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    tenant: Mapped[str] = mapped_column(String(6), index=True)
    rated_day: Mapped[str] = mapped_column(String(10), index=True)  # YYYY-MM-DD, Beijing
    excluded: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)  # the report as received (JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DeliveryRow(Base):
    """One report received, and what became of it: stored, stale (a later revision held), refused or dropped."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rating_id: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    tenant: Mapped[str] = mapped_column(String(6))
    outcome: Mapped[str] = mapped_column(String(10))  # stored | stale | refused | dropped
    code: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
