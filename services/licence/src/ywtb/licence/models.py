"""Licence tables; the metadata holds the outbox and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("licence")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the licence database."""

    metadata = metadata


class LicenceType(TenantMixin, Base):
    """证照类型: a licence type of the catalogue, defined by one department."""

    __tablename__ = "licence_types"
    __table_args__ = (UniqueConstraint("dept", "name", name="uq_licence_types_dept_name"),)
    code: Mapped[str] = mapped_column(String(21), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    validity_months: Mapped[int] = mapped_column(Integer)
    template_title: Mapped[str] = mapped_column(String(50))
    issue_mode: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


AUTOMATIC, MANUAL = "automatic", "manual"
