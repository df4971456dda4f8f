"""seal_keys issuer_serials licences issuances shares share_views

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
        "seal_keys",
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("public_key", sa.String(length=128), nullable=False),
        sa.Column("private_key_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("dept"),
    )
    with op.batch_alter_table("seal_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seal_keys_tenant"), ["tenant"], unique=False)
    op.create_table(
        "issuer_serials",
        sa.Column("issuer", sa.String(length=18), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("issuer"),
    )
    op.create_table(
        "licences",
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("type_name", sa.String(length=50), nullable=False),
        sa.Column("issuer", sa.String(length=18), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("holder_code_type", sa.String(length=3), nullable=False),
        sa.Column("holder_code_enc", sa.Text(), nullable=False),
        sa.Column("holder_code_masked", sa.String(length=40), nullable=False),
        sa.Column("holder_lookup", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("metadata_sm3", sa.String(length=64), nullable=False),
        sa.Column("file_sm3", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("qr_payload", sa.String(length=300), nullable=False),
        sa.Column("file", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=False),
        sa.Column("revoke_kind", sa.String(length=16), nullable=False),
        sa.Column("revoke_reason", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("identifier"),
        sa.UniqueConstraint("case_no", "type_code", "version", name="uq_licences_case_type_version"),
    )
    with op.batch_alter_table("licences", schema=None) as batch_op:
        for column in ("type_code", "issuer", "holder_lookup", "owner", "status", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_licences_{column}"), [column], unique=False)
    op.create_table(
        "issuances",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no", "item_id"),
    )
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        for column in ("dept", "status", "tenant"):
            batch_op.create_index(batch_op.f(f"ix_issuances_{column}"), [column], unique=False)
    op.create_table(
        "shares",
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        for column in ("identifier", "owner"):
            batch_op.create_index(batch_op.f(f"ix_shares_{column}"), [column], unique=False)
    op.create_table(
        "share_views",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        for column in ("token", "identifier"):
            batch_op.create_index(batch_op.f(f"ix_share_views_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("share_views")
    op.drop_table("shares")
    op.drop_table("issuances")
    op.drop_table("licences")
    op.drop_table("issuer_serials")
    op.drop_table("seal_keys")
