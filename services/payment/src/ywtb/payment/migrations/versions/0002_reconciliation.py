"""mismatches reconciliations

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
        "mismatches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("notice_no", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("expected_fen", sa.BigInteger(), nullable=False),
        sa.Column("platform_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=200), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "notice_no", name="uq_mismatches_kind_notice"),
    )
    with op.batch_alter_table("mismatches", schema=None) as batch_op:
        for column in ("day", "dept", "status", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_mismatches_{column}"), [column], unique=False)
    op.create_table(
        "reconciliations",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("mismatched", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("reconciliations")
    op.drop_table("mismatches")
