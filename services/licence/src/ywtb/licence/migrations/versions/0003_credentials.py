"""credential_keys credential_issues; status list slots of licences

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
        "credential_keys",
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=64), nullable=False),
        sa.Column("private_key_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("dept"),
    )
    with op.batch_alter_table("credential_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_keys_tenant"), ["tenant"], unique=False)
    op.create_table(
        "credential_issues",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("credential_id", sa.String(length=300), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential_issues", schema=None) as batch_op:
        for column in ("dept", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_credential_issues_{column}"), [column], unique=False)
    with op.batch_alter_table("issuer_serials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_last", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_column("status_index")
    with op.batch_alter_table("issuer_serials", schema=None) as batch_op:
        batch_op.drop_column("status_last")
    op.drop_table("credential_issues")
    op.drop_table("credential_keys")
