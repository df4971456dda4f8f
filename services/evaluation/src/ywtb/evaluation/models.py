"""Evaluation tables (好差评); the metadata holds the outbox and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("evaluation")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the evaluation database."""

    metadata = metadata


class TenantSettings(Base):
    """A tenant's 好差评 rules (a tenant without a row has the defaults of tenant_settings.py)."""

    __tablename__ = "tenant_settings"
    tenant: Mapped[str] = mapped_column(String(6), primary_key=True)
    rate_at_receipt: Mapped[bool] = mapped_column(Boolean)
    rate_at_acceptance: Mapped[bool] = mapped_column(Boolean)
    default_after_days: Mapped[int] = mapped_column(Integer)
    default_level: Mapped[int] = mapped_column(Integer)
    callback_workdays: Mapped[int] = mapped_column(Integer)
    rectify_workdays: Mapped[int] = mapped_column(Integer)
    consultation_workdays: Mapped[int] = mapped_column(Integer)
    complaint_workdays: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rateable(TenantMixin, Base):
    """A case at a stage its applicant may rate (收件, 受理, 办结), until rated or rated by default."""

    __tablename__ = "rateables"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    stage: Mapped[str] = mapped_column(String(12), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    item_name: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(64), default="", index=True)
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), index=True)
    reached_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    default_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Rateable statuses: the holder not read yet, open to its applicant, rated, rated by default (channel 7).
PENDING, OPEN, RATED, DEFAULTED = "pending", "open", "rated", "defaulted"
# Stages (在收件、受理、办结进行评价); a window visit (一次一评) is rated at its own stage.
RECEIPT, ACCEPTANCE, COMPLETION, VISIT = "receipt", "acceptance", "completion", "visit"


class CaseStaff(TenantMixin, Base):
    """The window clerk who accepted a case (首问负责): whose ratings the staff indicators count it in."""

    __tablename__ = "case_staff"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff: Mapped[str] = mapped_column(String(64), index=True)


class Visit(TenantMixin, Base):
    """窗口服务: one visit at a hall window, rated once (一次一评) by QR code or the window's tablet."""

    __tablename__ = "visits"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the QR code's secret, hashed
    dept: Mapped[str] = mapped_column(String(18), index=True)
    dept_name: Mapped[str] = mapped_column(String(200), default="")
    window: Mapped[str] = mapped_column(String(40))
    staff: Mapped[str] = mapped_column(String(64), index=True)
    staff_name: Mapped[str] = mapped_column(String(200), default="")
    item_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    item_name: Mapped[str] = mapped_column(String(200), default="")
    case_no: Mapped[str] = mapped_column(String(64), default="")
    visitor_name: Mapped[str] = mapped_column(String(200), default="")  # verified at the window, or ""
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Visit statuses: waiting for the visitor's rating, rated.
VISIT_OPEN, VISIT_RATED = "open", "rated"


class Rating(TenantMixin, Base):
    """评价: one per case and stage (一事一评) and one follow-up; never deleted (an appeal excludes it)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("case_no", "stage", "visit_id", "follow_up", name="uq_ratings_case_stage_visit"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), index=True)  # "" for a visit about no case
    stage: Mapped[str] = mapped_column(String(12))
    visit_id: Mapped[str] = mapped_column(String(32), default="", index=True)  # 一次一评: the window visit
    staff: Mapped[str] = mapped_column(String(64), default="", index=True)  # the clerk who served or accepted
    dept: Mapped[str] = mapped_column(String(18), index=True)
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    item_name: Mapped[str] = mapped_column(String(200), default="")
    rater: Mapped[str] = mapped_column(String(64), default="", index=True)  # "" for a default rating
    rater_name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[int] = mapped_column(Integer)
    follow_up: Mapped[bool] = mapped_column(Boolean)
    system_default: Mapped[bool] = mapped_column(Boolean)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Rectification(TenantMixin, Base):
    """整改: a bad review's callback and rectification by the handling department, told to the rater."""

    __tablename__ = "rectifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rating_id: Mapped[str] = mapped_column(String(32), unique=True)
    case_no: Mapped[str] = mapped_column(String(64), index=True)
    visit_id: Mapped[str] = mapped_column(String(32), default="")

    @property
    def key(self) -> str:
        """Its events' key: the case, or the visit about no case."""
        return self.case_no or self.visit_id

    dept: Mapped[str] = mapped_column(String(18), index=True)
    rater: Mapped[str] = mapped_column(String(64), default="", index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    callback_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rectify_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    callback_note: Mapped[str] = mapped_column(String(500), default="")
    called_back_by: Mapped[str] = mapped_column(String(64), default="")
    called_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result: Mapped[str] = mapped_column(String(1000), default="")
    rectified_by: Mapped[str] = mapped_column(String(64), default="")
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rater_verdict: Mapped[str] = mapped_column(String(12), default="")
    rater_comment: Mapped[str] = mapped_column(String(500), default="")
    callback_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    rectify_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Rectification statuses.
TO_CALL, CALLED_BACK, RECTIFIED, CONFIRMED, DISPUTED, WITHDRAWN = (
    "to_call",
    "called_back",
    "rectified",
    "confirmed",
    "disputed",
    "withdrawn",
)


class Appeal(TenantMixin, Base):
    """申诉: a department asks to remove a mistaken or malicious rating; the tenant's 政务服务管理 decides."""

    __tablename__ = "appeals"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rating_id: Mapped[str] = mapped_column(String(32), index=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decision: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


APPEAL_PENDING, APPEAL_APPROVED, APPEAL_REJECTED = "pending", "approved", "rejected"


class Inquiry(TenantMixin, Base):
    """咨询 about an item or 投诉 about a case or a department, routed to the department, answered in time."""

    __tablename__ = "inquiries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    dept_name: Mapped[str] = mapped_column(String(200), default="")
    item_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    item_name: Mapped[str] = mapped_column(String(200), default="")
    case_no: Mapped[str] = mapped_column(String(64), default="")
    asker: Mapped[str] = mapped_column(String(64), index=True)
    asker_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)
    consent_to_publish: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10), index=True)
    reply_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[str] = mapped_column(String(64), default="")
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_raised: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    escalation: Mapped[str] = mapped_column(String(500), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Asked with a verified mobile instead of an account: the number sealed (for the answer's SMS), and the
    # reference (查询码) the asker reads it back with, sealed and hashed.
    asker_mobile: Mapped[str] = mapped_column(Text, default="")
    ref_sealed: Mapped[str] = mapped_column(Text, default="")
    ref_hash: Mapped[str] = mapped_column(String(64), default="", index=True)


class MobileCode(Base):
    """A verification code sent by SMS to a number that asks without an account (its hash only)."""

    __tablename__ = "mobile_codes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    mobile_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class SmsNotice(TenantMixin, Base):
    """A text message to send (the answer to a mobile asker), written in the answer's transaction."""

    __tablename__ = "sms_notices"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # its message_no on the SMS platform
    mobile_sealed: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# SMS notice statuses: to send (or re-send), sent, refused by the platform (not retried).
SMS_PENDING, SMS_SENT, SMS_REFUSED = "pending", "sent", "refused"

CONSULTATION, COMPLAINT = "consultation", "complaint"
# Inquiry statuses: waiting for the department's reply, answered, escalated to the tenant (政务服务管理).
ASKED, ANSWERED, ESCALATED = "asked", "answered", "escalated"


class RatingPush(TenantMixin, Base):
    """上报省好差评系统: one revision of a rating to push upward (queued in the rating's transaction)."""

    __tablename__ = "rating_pushes"
    __table_args__ = (UniqueConstraint("rating_id", "revision", name="uq_rating_pushes_rating_revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # the pushing order
    rating_id: Mapped[str] = mapped_column(String(32), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # 1, then one more for each re-report (an exclusion)
    excluded: Mapped[bool] = mapped_column(Boolean)  # the rating's exclusion at this revision
    excluded_reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    refused_code: Mapped[str] = mapped_column(String(40), default="")  # the province's code when refused
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Push statuses: waiting to be sent (or re-sent), accepted by the province, refused by it (not retried).
PUSH_PENDING, PUSH_SENT, PUSH_REFUSED = "pending", "sent", "refused"
