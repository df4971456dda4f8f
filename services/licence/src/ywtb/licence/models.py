"""Licence tables; the metadata holds the outbox and the inbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
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


class SealKeyRow(TenantMixin, Base):
    """电子印章密钥: an issuing department's SM2 key pair, the private key encrypted at rest."""

    __tablename__ = "seal_keys"
    dept: Mapped[str] = mapped_column(String(18), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(128))
    private_key_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CredentialKeyRow(TenantMixin, Base):
    """凭证密钥: an issuing department's Ed25519 key for W3C credentials, the private key encrypted at rest."""

    __tablename__ = "credential_keys"
    dept: Mapped[str] = mapped_column(String(18), primary_key=True)
    public_key_multibase: Mapped[str] = mapped_column(String(64))
    private_key_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CredentialIssue(TenantMixin, Base):
    """One credential signed through VC-API issue: who signed what in the department's name."""

    __tablename__ = "credential_issues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    credential_id: Mapped[str] = mapped_column(String(300), default="")
    types: Mapped[list[str]] = mapped_column(JSON)
    document_sha256: Mapped[str] = mapped_column(String(64))  # of the canonical N-Quads signed
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IssuerSerial(Base):
    """The last serial number an issuing department gave a licence."""

    __tablename__ = "issuer_serials"
    issuer: Mapped[str] = mapped_column(String(18), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
    status_last: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )  # status list slots given


class Licence(TenantMixin, Base):
    """电子证照: one version of an issued licence, its GB/T 36903 metadata, seal and file."""

    __tablename__ = "licences"
    __table_args__ = (
        UniqueConstraint("case_no", "type_code", "version", name="uq_licences_case_type_version"),
    )
    identifier: Mapped[str] = mapped_column(String(100), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(21), index=True)
    type_name: Mapped[str] = mapped_column(String(50))
    issuer: Mapped[str] = mapped_column(String(18), index=True)
    issuer_name: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    licence_no: Mapped[str] = mapped_column(String(40))
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_code_type: Mapped[str] = mapped_column(String(3))
    holder_code_enc: Mapped[str] = mapped_column(Text)
    holder_code_masked: Mapped[str] = mapped_column(String(40))
    holder_lookup: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True, default="")
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # None = 长期
    jurisdiction: Mapped[str] = mapped_column(String(6))
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    case_no: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), index=True)
    metadata_sm3: Mapped[str] = mapped_column(String(64))
    file_sm3: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    qr_payload: Mapped[str] = mapped_column(String(300))
    file: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str] = mapped_column(String(64), default="")
    revoke_kind: Mapped[str] = mapped_column(String(16), default="")
    revoke_reason: Mapped[str] = mapped_column(String(200), default="")
    # Its slot in the issuer's BitstringStatusList, given when its credential is first asked for.
    status_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Issuance(TenantMixin, Base):
    """出证: an approved case whose result is a licence, due within 10 working days (art. 44)."""

    __tablename__ = "issuances"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    type_code: Mapped[str] = mapped_column(String(21), default="")
    identifier: Mapped[str] = mapped_column(String(100), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Share(Base):
    """亮证: a time-limited link to one licence, made by its holder."""

    __tablename__ = "shares"
    token: Mapped[str] = mapped_column(String(43), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(100), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShareView(Base):
    """One view of a share link, shown or refused: the holder sees every one."""

    __tablename__ = "share_views"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(43), index=True)
    identifier: Mapped[str] = mapped_column(String(100), index=True)
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    viewer: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))


VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
# Why a licence is revoked (注销): issued in error, a 告知承诺 promise proved false, the holder asked, other.
REVOKE_KINDS = ("error", "promise_false", "holder_request", "other")
PENDING, AWAITING_CLERK, ISSUED, NOT_A_LICENCE = "pending", "clerk", "issued", "none"
AWAITING_PAYMENT = "payment"  # 缴费后发证: issued once the case's fees are paid


class CasePayment(Base):
    """A case's fees paid (PaymentPaid), for items whose licence is issued only once they are."""

    __tablename__ = "case_payments"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
