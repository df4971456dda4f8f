"""outbox inbox licence_types

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
        "licence_types",
        sa.Column("code", sa.String(length=21), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=False),
        sa.Column("template_title", sa.String(length=50), nullable=False),
        sa.Column("issue_mode", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("dept", "name", name="uq_licence_types_dept_name"),
    )
    with op.batch_alter_table("licence_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licence_types_dept"), ["dept"], unique=False)
        batch_op.create_index(batch_op.f("ix_licence_types_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    op.drop_table("licence_types")
    drop_messaging_tables()
