"""tenants departments accounts staff persons legal persons

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
        "accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("idp_user_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("pending_secret", sa.Text(), nullable=True),
        sa.Column("temporary_password", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_tenant"), ["tenant"], unique=False)

    op.create_table(
        "departments",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("credit_code"),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departments_tenant"), ["tenant"], unique=False)

    op.create_table(
        "legal_persons",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("applicant_type", sa.Integer(), nullable=False),
        sa.Column("representative_name", sa.String(length=100), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("credit_code"),
    )
    with op.batch_alter_table("legal_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_persons_tenant"), ["tenant"], unique=False)

    op.create_table(
        "tenants",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["tenants.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenants_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_number_enc", sa.Text(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("mobile_enc", sa.Text(), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=False),
        sa.Column("mobile_masked", sa.String(length=20), nullable=False),
        sa.Column("factors_enc", sa.Text(), nullable=False),
        sa.Column("factor_types", sa.JSON(), nullable=False),
        sa.Column("real_name_level", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number_hash"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_mobile_hash"), ["mobile_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_tenant"), ["tenant"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("mobile_enc", sa.Text(), nullable=False),
        sa.Column("mobile_masked", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["dept"],
            ["departments.credit_code"],
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_dept"), ["dept"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_tenant"), ["tenant"], unique=False)

    op.create_table(
        "agent_authorisations",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_code"],
            ["legal_persons.credit_code"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
        ),
        sa.PrimaryKeyConstraint("credit_code", "person_id"),
    )
    with op.batch_alter_table("agent_authorisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_authorisations_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    drop_messaging_tables()
    with op.batch_alter_table("agent_authorisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_authorisations_tenant"))

    op.drop_table("agent_authorisations")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_tenant"))
        batch_op.drop_index(batch_op.f("ix_staff_dept"))

    op.drop_table("staff")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_tenant"))
        batch_op.drop_index(batch_op.f("ix_persons_mobile_hash"))

    op.drop_table("persons")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenants_parent_code"))

    op.drop_table("tenants")
    with op.batch_alter_table("legal_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_persons_tenant"))

    op.drop_table("legal_persons")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_tenant"))

    op.drop_table("departments")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_tenant"))
        batch_op.drop_index(batch_op.f("ix_accounts_next_attempt_at"))

    op.drop_table("accounts")
