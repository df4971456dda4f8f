"""outbox inbox tenant_settings rateables ratings rectifications appeals inquiries

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ywtb.common.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("rating_id", sa.String(length=32), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=500), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_appeals_dept"), "appeals", ["dept"], unique=False)
    op.create_index(op.f("ix_appeals_rating_id"), "appeals", ["rating_id"], unique=False)
    op.create_index(op.f("ix_appeals_status"), "appeals", ["status"], unique=False)
    op.create_index(op.f("ix_appeals_tenant"), "appeals", ["tenant"], unique=False)
    op.create_table(
        "inquiries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("dept_name", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("asker", sa.String(length=64), nullable=False),
        sa.Column("asker_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("consent_to_publish", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reply_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by", sa.String(length=64), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_late", sa.Boolean(), nullable=False),
        sa.Column("overdue_raised", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("escalation", sa.String(length=500), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_inquiries_asker"), "inquiries", ["asker"], unique=False)
    op.create_index(op.f("ix_inquiries_created_at"), "inquiries", ["created_at"], unique=False)
    op.create_index(op.f("ix_inquiries_dept"), "inquiries", ["dept"], unique=False)
    op.create_index(op.f("ix_inquiries_item_id"), "inquiries", ["item_id"], unique=False)
    op.create_index(op.f("ix_inquiries_kind"), "inquiries", ["kind"], unique=False)
    op.create_index(op.f("ix_inquiries_published"), "inquiries", ["published"], unique=False)
    op.create_index(op.f("ix_inquiries_status"), "inquiries", ["status"], unique=False)
    op.create_index(op.f("ix_inquiries_tenant"), "inquiries", ["tenant"], unique=False)
    op.create_table(
        "rateables",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("default_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no", "stage"),
    )
    op.create_index(op.f("ix_rateables_default_at"), "rateables", ["default_at"], unique=False)
    op.create_index(op.f("ix_rateables_dept"), "rateables", ["dept"], unique=False)
    op.create_index(op.f("ix_rateables_item_id"), "rateables", ["item_id"], unique=False)
    op.create_index(op.f("ix_rateables_owner"), "rateables", ["owner"], unique=False)
    op.create_index(op.f("ix_rateables_status"), "rateables", ["status"], unique=False)
    op.create_index(op.f("ix_rateables_tenant"), "rateables", ["tenant"], unique=False)
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("rater", sa.String(length=64), nullable=False),
        sa.Column("rater_name", sa.String(length=200), nullable=False),
        sa.Column("real_name", sa.Boolean(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("system_default", sa.Boolean(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("excluded_reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_no", "stage", "follow_up", name="uq_ratings_case_stage"),
    )
    op.create_index(op.f("ix_ratings_case_no"), "ratings", ["case_no"], unique=False)
    op.create_index(op.f("ix_ratings_created_at"), "ratings", ["created_at"], unique=False)
    op.create_index(op.f("ix_ratings_dept"), "ratings", ["dept"], unique=False)
    op.create_index(op.f("ix_ratings_item_id"), "ratings", ["item_id"], unique=False)
    op.create_index(op.f("ix_ratings_rater"), "ratings", ["rater"], unique=False)
    op.create_index(op.f("ix_ratings_tenant"), "ratings", ["tenant"], unique=False)
    op.create_table(
        "rectifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("rating_id", sa.String(length=32), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("rater", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("callback_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rectify_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_note", sa.String(length=500), nullable=False),
        sa.Column("called_back_by", sa.String(length=64), nullable=False),
        sa.Column("called_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=1000), nullable=False),
        sa.Column("rectified_by", sa.String(length=64), nullable=False),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rater_verdict", sa.String(length=12), nullable=False),
        sa.Column("rater_comment", sa.String(length=500), nullable=False),
        sa.Column("callback_overdue", sa.Boolean(), nullable=False),
        sa.Column("rectify_overdue", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id"),
    )
    op.create_index(op.f("ix_rectifications_case_no"), "rectifications", ["case_no"], unique=False)
    op.create_index(op.f("ix_rectifications_dept"), "rectifications", ["dept"], unique=False)
    op.create_index(op.f("ix_rectifications_rater"), "rectifications", ["rater"], unique=False)
    op.create_index(op.f("ix_rectifications_status"), "rectifications", ["status"], unique=False)
    op.create_index(op.f("ix_rectifications_tenant"), "rectifications", ["tenant"], unique=False)
    op.create_table(
        "tenant_settings",
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.Column("rate_at_receipt", sa.Boolean(), nullable=False),
        sa.Column("rate_at_acceptance", sa.Boolean(), nullable=False),
        sa.Column("default_after_days", sa.Integer(), nullable=False),
        sa.Column("default_level", sa.Integer(), nullable=False),
        sa.Column("callback_workdays", sa.Integer(), nullable=False),
        sa.Column("rectify_workdays", sa.Integer(), nullable=False),
        sa.Column("consultation_workdays", sa.Integer(), nullable=False),
        sa.Column("complaint_workdays", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )


def downgrade() -> None:
    op.drop_table("tenant_settings")
    op.drop_table("rectifications")
    op.drop_table("ratings")
    op.drop_table("rateables")
    op.drop_table("inquiries")
    op.drop_table("appeals")
    drop_messaging_tables()
