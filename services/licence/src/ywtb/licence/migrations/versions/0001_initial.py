"""outbox inbox records

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
        "records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_dept"), ["dept"], unique=False)
        batch_op.create_index(batch_op.f("ix_records_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_records_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    op.drop_table("records")
    drop_messaging_tables()
