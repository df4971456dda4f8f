"""Identity tables: tenants, departments, accounts, staff, persons, legal persons, agents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("identity")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the identity database."""

    metadata = metadata


class Tenant(Base):
    """A province, city or county tenant, keyed by its GB/T 2260 region code."""

    __tablename__ = "tenants"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("tenants.code"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    onboarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Department(TenantMixin, Base):
    """A department of a tenant, keyed by its unified social credit code."""

    __tablename__ = "departments"
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Account(TenantMixin, Base):
    """A login account (staff or person) and its provisioning state at the identity provider."""

    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[int] = mapped_column(Integer)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    idp_user_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pending_secret: Mapped[str | None] = mapped_column(Text)
    temporary_password: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Staff(TenantMixin, Base):
    """A staff member of a department."""

    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    dept: Mapped[str] = mapped_column(ForeignKey("departments.credit_code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON)
    mobile_enc: Mapped[str] = mapped_column(Text)
    mobile_masked: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Person(TenantMixin, Base):
    """A natural person; the ID number is stored encrypted with a keyed hash for lookup."""

    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number_enc: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mobile_enc: Mapped[str] = mapped_column(Text)
    mobile_hash: Mapped[str] = mapped_column(String(64), index=True)
    mobile_masked: Mapped[str] = mapped_column(String(20))
    factors_enc: Mapped[str] = mapped_column(Text)
    factor_types: Mapped[list[int]] = mapped_column(JSON)
    real_name_level: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LegalPerson(TenantMixin, Base):
    """A legal person keyed by its unified social credit code."""

    __tablename__ = "legal_persons"
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    applicant_type: Mapped[int] = mapped_column(Integer)
    representative_name: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AgentAuthorisation(TenantMixin, Base):
    """A person's authorisation to act as agent (经办人) of a legal person."""

    __tablename__ = "agent_authorisations"
    credit_code: Mapped[str] = mapped_column(ForeignKey("legal_persons.credit_code"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
