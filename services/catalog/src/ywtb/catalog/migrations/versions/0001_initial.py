"""basic catalogue implementation items versions bundles

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
        "basic_items",
        sa.Column("basic_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=2), nullable=False),
        sa.Column("exercise_levels", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("catalogue_version", sa.String(length=20), nullable=False),
        sa.Column("successors", sa.JSON(), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("basic_code"),
    )
    with op.batch_alter_table("basic_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_basic_items_tenant"), ["tenant"], unique=False)

    op.create_table(
        "bundles",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bundles_tenant"), ["tenant"], unique=False)

    op.create_table(
        "catalogue_releases",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )

    op.create_table(
        "basic_item_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("catalogue_version", sa.String(length=20), nullable=False),
        sa.Column("basic_code", sa.String(length=12), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalogue_version"],
            ["catalogue_releases.version"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("basic_item_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_basic_item_changes_basic_code"), ["basic_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_basic_item_changes_catalogue_version"), ["catalogue_version"], unique=False
        )

    op.create_table(
        "items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("dept_name", sa.String(length=200), nullable=False),
        sa.Column("basic_code", sa.String(length=12), nullable=False),
        sa.Column("implementation_code", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["basic_code"],
            ["basic_items.basic_code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dept", "basic_code", name="uq_items_dept_basic_code"),
        sa.UniqueConstraint("implementation_code"),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_basic_code"), ["basic_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_dept"), ["dept"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_tenant"), ["tenant"], unique=False)

    op.create_table(
        "item_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("item_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_actions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_actions_tenant"), ["tenant"], unique=False)

    op.create_table(
        "item_versions",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("dept_name", sa.String(length=200), nullable=False),
        sa.Column("basic_code", sa.String(length=12), nullable=False),
        sa.Column("item_type", sa.String(length=2), nullable=False),
        sa.Column("implementation_code", sa.String(length=36), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("guide", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("item_id", "version"),
    )
    with op.batch_alter_table("item_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_versions_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    drop_messaging_tables()
    with op.batch_alter_table("item_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_versions_tenant"))

    op.drop_table("item_versions")
    with op.batch_alter_table("item_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_actions_tenant"))
        batch_op.drop_index(batch_op.f("ix_item_actions_item_id"))

    op.drop_table("item_actions")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_tenant"))
        batch_op.drop_index(batch_op.f("ix_items_status"))
        batch_op.drop_index(batch_op.f("ix_items_dept"))
        batch_op.drop_index(batch_op.f("ix_items_basic_code"))

    op.drop_table("items")
    with op.batch_alter_table("basic_item_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basic_item_changes_catalogue_version"))
        batch_op.drop_index(batch_op.f("ix_basic_item_changes_basic_code"))

    op.drop_table("basic_item_changes")

    op.drop_table("catalogue_releases")
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundles_tenant"))

    op.drop_table("bundles")
    with op.batch_alter_table("basic_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basic_items_tenant"))

    op.drop_table("basic_items")
