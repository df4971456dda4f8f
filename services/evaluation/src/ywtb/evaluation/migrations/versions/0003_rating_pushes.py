"""rating_pushes: the ratings' revisions to push to the provincial 好差评 platform

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rating_pushes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rating_id", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("excluded_reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("refused_code", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id", "revision", name="uq_rating_pushes_rating_revision"),
    )
    for column in ("rating_id", "sent_at", "status", "tenant"):
        op.create_index(op.f(f"ix_rating_pushes_{column}"), "rating_pushes", [column], unique=False)


def downgrade() -> None:
    for column in ("tenant", "status", "sent_at", "rating_id"):
        op.drop_index(op.f(f"ix_rating_pushes_{column}"), table_name="rating_pushes")
    op.drop_table("rating_pushes")
