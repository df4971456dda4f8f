"""cases counters materials

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
        "case_counters",
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("region", "day"),
    )
    op.create_table(
        "cases",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("applicant_type", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_id_type", sa.String(length=8), nullable=False),
        sa.Column("applicant_id_enc", sa.Text(), nullable=False),
        sa.Column("applicant_id_masked", sa.String(length=40), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_mobile_enc", sa.Text(), nullable=False),
        sa.Column("contact_mobile_masked", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("deficiencies", sa.JSON(), nullable=False),
        sa.Column("correction_round", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("acceptance_mode", sa.Integer(), nullable=False),
        sa.Column("pending_materials", sa.JSON(), nullable=False),
        sa.Column("supply_deadline", sa.Date(), nullable=True),
        sa.Column("promise_signed", sa.Boolean(), nullable=False),
        sa.Column("deemed_accepted", sa.Boolean(), nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.String(length=64), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no"),
        sa.UniqueConstraint("submitted_by", "idempotency_key", name="uq_cases_idempotency"),
    )
    op.create_index(op.f("ix_cases_dept"), "cases", ["dept"], unique=False)
    op.create_index(op.f("ix_cases_owner"), "cases", ["owner"], unique=False)
    op.create_index(op.f("ix_cases_received_at"), "cases", ["received_at"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_index(op.f("ix_cases_tenant"), "cases", ["tenant"], unique=False)
    op.create_table(
        "material_blobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "material_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage", sa.String(length=16), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_material_files_case_no"), "material_files", ["case_no"], unique=False)
    op.create_index(op.f("ix_material_files_sha256"), "material_files", ["sha256"], unique=False)
    op.create_index(op.f("ix_material_files_tenant"), "material_files", ["tenant"], unique=False)
    op.create_index(op.f("ix_material_files_uploaded_by"), "material_files", ["uploaded_by"], unique=False)


def downgrade() -> None:
    op.drop_table("material_files")
    op.drop_table("material_blobs")
    op.drop_index(op.f("ix_cases_tenant"), table_name="cases")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_received_at"), table_name="cases")
    op.drop_index(op.f("ix_cases_owner"), table_name="cases")
    op.drop_index(op.f("ix_cases_dept"), table_name="cases")
    op.drop_table("cases")
    op.drop_table("case_counters")
    drop_messaging_tables()
