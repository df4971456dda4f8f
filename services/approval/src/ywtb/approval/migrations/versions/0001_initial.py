"""instances tasks steps clock stops backup handlers

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
        "backup_handlers",
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("absent", sa.String(length=64), nullable=False),
        sa.Column("backup", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("dept", "absent"),
    )
    with op.batch_alter_table("backup_handlers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_backup_handlers_backup"), ["backup"], unique=False)
        batch_op.create_index(batch_op.f("ix_backup_handlers_tenant"), ["tenant"], unique=False)

    op.create_table(
        "clock_stops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("ended_by", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clock_stops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clock_stops_case_no"), ["case_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_clock_stops_tenant"), ["tenant"], unique=False)

    op.create_table(
        "instances",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("applicant", sa.String(length=64), nullable=False),
        sa.Column("joint", sa.Boolean(), nullable=False),
        sa.Column("timeout_default", sa.Boolean(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("case_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_event_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no"),
    )
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instances_tenant"), ["tenant"], unique=False)

    op.create_table(
        "steps",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no", "seq"),
        sa.UniqueConstraint("case_no", "task_id", name="uq_steps_case_task"),
    )
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_steps_tenant"), ["tenant"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("candidate_role", sa.String(length=40), nullable=False),
        sa.Column("dept", sa.String(length=18), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("decision_required", sa.Boolean(), nullable=False),
        sa.Column("step_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_no", "task_id"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_claimed", ["claimed_by", "status"], unique=False)
        batch_op.create_index("ix_tasks_due", ["status", "step_deadline"], unique=False)
        batch_op.create_index("ix_tasks_queue", ["tenant", "dept", "status", "candidate_role"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_tenant"))
        batch_op.drop_index("ix_tasks_queue")
        batch_op.drop_index("ix_tasks_due")
        batch_op.drop_index("ix_tasks_claimed")

    op.drop_table("tasks")
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_steps_tenant"))

    op.drop_table("steps")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instances_tenant"))

    op.drop_table("instances")
    with op.batch_alter_table("clock_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clock_stops_tenant"))
        batch_op.drop_index(batch_op.f("ix_clock_stops_case_no"))

    op.drop_table("clock_stops")
    with op.batch_alter_table("backup_handlers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backup_handlers_tenant"))
        batch_op.drop_index(batch_op.f("ix_backup_handlers_backup"))

    op.drop_table("backup_handlers")
    drop_messaging_tables()
