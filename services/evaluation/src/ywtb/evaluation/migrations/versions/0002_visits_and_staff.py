"""window visits (一次一评); the staff member of a rating and of an accepted case; asking with a verified
mobile (codes, the SMS notices, the inquiry's sealed number and reference)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_staff",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no"),
    )
    with op.batch_alter_table("case_staff", schema=None) as batch_op:
        for column in ("staff", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_case_staff_{column}"), [column], unique=False)
    op.create_table(
        "visits",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("dept_name", sa.String(length=200), nullable=False),
        sa.Column("window", sa.String(length=40), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("staff_name", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("visitor_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        for column in ("created_at", "dept", "item_id", "staff", "status", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_visits_{column}"), [column], unique=False)
    op.create_table(
        "mobile_codes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mobile_codes", schema=None) as batch_op:
        for column in ("mobile_hash", "sent_at"):
            batch_op.create_index(batch_op.f(f"ix_mobile_codes_{column}"), [column], unique=False)
    op.create_table(
        "sms_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mobile_sealed", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_notices", schema=None) as batch_op:
        for column in ("next_at", "status", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_sms_notices_{column}"), [column], unique=False)
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asker_mobile", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("ref_sealed", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("ref_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_inquiries_ref_hash"), ["ref_hash"], unique=False)
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.String(length=32), nullable=False, server_default=""))
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("staff", sa.String(length=64), nullable=False, server_default=""))
        batch_op.drop_constraint("uq_ratings_case_stage", type_="unique")
        batch_op.create_unique_constraint(
            "uq_ratings_case_stage_visit", ["case_no", "stage", "visit_id", "follow_up"]
        )
        batch_op.create_index(batch_op.f("ix_ratings_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratings_staff"), ["staff"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_staff"))
        batch_op.drop_index(batch_op.f("ix_ratings_visit_id"))
        batch_op.drop_constraint("uq_ratings_case_stage_visit", type_="unique")
        batch_op.create_unique_constraint("uq_ratings_case_stage", ["case_no", "stage", "follow_up"])
        batch_op.drop_column("staff")
        batch_op.drop_column("visit_id")
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.drop_column("visit_id")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_ref_hash"))
        for column in ("ref_hash", "ref_sealed", "asker_mobile"):
            batch_op.drop_column(column)
    op.drop_table("sms_notices")
    op.drop_table("mobile_codes")
    op.drop_table("visits")
    op.drop_table("case_staff")
