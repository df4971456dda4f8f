"""process definitions kept by digest; workflow states name them instead of embedding them

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
        "process_definitions",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("specs", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_process_definitions_process", "process_definitions", ["process"])


def downgrade() -> None:
    op.drop_index("ix_process_definitions_process", table_name="process_definitions")
    op.drop_table("process_definitions")
