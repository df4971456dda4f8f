"""Intake tables: cases, uploaded materials (metadata and, in the database storage, content), counters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("intake")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the intake database."""

    metadata = metadata


class CaseCounter(Base):
    """The last case number taken per region and day."""

    __tablename__ = "case_counters"
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Case(TenantMixin, Base):
    """An application (办件) and its intake state; the item facts are a snapshot of the version."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("submitted_by", "idempotency_key", name="uq_cases_idempotency"),)

    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    item_version: Mapped[int] = mapped_column(Integer)
    item: Mapped[dict] = mapped_column(JSON)  # name, codes, process, case type, limits, materials
    # 一件事: the bundle's code and its items [{item_id, version, dept, dept_name, code, name}];
    # "" and [] for a single item (then item_id / dept are the item's; for a bundle the first item's).
    bundle_code: Mapped[str] = mapped_column(String(64), index=True, default="", server_default="")
    bundle_items: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    channel: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer, index=True)
    applicant_type: Mapped[int] = mapped_column(Integer)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(8))
    applicant_id_enc: Mapped[str] = mapped_column(Text)
    applicant_id_masked: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_mobile_enc: Mapped[str] = mapped_column(Text, default="")
    contact_mobile_masked: Mapped[str] = mapped_column(String(20), default="")
    identity_check: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    applicant_real_name_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    owner: Mapped[str] = mapped_column(String(64), index=True, default="")
    submitted_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    form_data: Mapped[dict] = mapped_column(JSON)
    materials: Mapped[dict] = mapped_column(JSON)  # material name -> [file ids]
    deficiencies: Mapped[list] = mapped_column(JSON, default=list)
    correction_round: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    promised_date: Mapped[date | None] = mapped_column(Date)
    acceptance_mode: Mapped[int] = mapped_column(Integer, default=0)
    pending_materials: Mapped[list] = mapped_column(JSON, default=list)
    supply_deadline: Mapped[date | None] = mapped_column(Date)
    promise_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(64), default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MaterialFile(TenantMixin, Base):
    """An uploaded file of a material; attached to at most one case."""

    __tablename__ = "material_files"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uploaded_by: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage: Mapped[str] = mapped_column(String(16))
    case_no: Mapped[str | None] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trust_grade: Mapped[str] = mapped_column(String(1), default="C", server_default="C")
    licence_identifier: Mapped[str] = mapped_column(String(100), default="", server_default="")


class MaterialBlob(Base):
    """File content when materials are stored in the database."""

    __tablename__ = "material_blobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
