"""Approval tables: workflow instances, tasks, step records, clock stops, backup handlers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("approval")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the approval database."""

    metadata = metadata


RUNNING, SUSPENDED, COMPLETED = "running", "suspended", "completed"
OPEN, DONE, CANCELLED = "open", "done", "cancelled"


class Instance(TenantMixin, Base):
    """One workflow instance per accepted case; `version` guards every state change (optimistic locking)."""

    __tablename__ = "instances"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)  # unique: one workflow per case
    dept: Mapped[str] = mapped_column(String(18))
    item_id: Mapped[str] = mapped_column(String(64))
    item_version: Mapped[int] = mapped_column(Integer)
    process: Mapped[str] = mapped_column(String(100))
    applicant: Mapped[str] = mapped_column(String(64), default="")
    joint: Mapped[bool] = mapped_column(Boolean, default=False)
    timeout_default: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(String(10))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promised_days: Mapped[int] = mapped_column(Integer)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    case_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - every UPDATE checks and bumps it


class Task(TenantMixin, Base):
    """A ready user task of a case (待办), with its candidate role and department."""

    __tablename__ = "tasks"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    step: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    candidate_role: Mapped[str] = mapped_column(String(40))
    dept: Mapped[str] = mapped_column(String(18))
    item_code: Mapped[str] = mapped_column(String(64), default="")
    decision_required: Mapped[bool] = mapped_column(Boolean, default=False)
    step_days: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    step_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_tasks_queue", "tenant", "dept", "status", "candidate_role"),
        Index("ix_tasks_claimed", "claimed_by", "status"),
        Index("ix_tasks_due", "status", "step_deadline"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - claims are optimistic


class Step(TenantMixin, Base):
    """A completed step (办理过程): who did what, with which opinion, on time or not."""

    __tablename__ = "steps"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    step: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    dept: Mapped[str] = mapped_column(String(18))
    item_code: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    opinion: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    step_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on_time: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("case_no", "task_id", name="uq_steps_case_task"),)


class ClockStopRow(TenantMixin, Base):
    """A special procedure (特别程序) that stops the case's clock."""

    __tablename__ = "clock_stops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str] = mapped_column(String(64))
    ended_by: Mapped[str] = mapped_column(String(64), default="")


class BackupHandler(TenantMixin, Base):
    """AB 角: while `absent` is away, `backup` may take over their tasks in the department."""

    __tablename__ = "backup_handlers"
    dept: Mapped[str] = mapped_column(String(18), primary_key=True)
    absent: Mapped[str] = mapped_column(String(64), primary_key=True)
    backup: Mapped[str] = mapped_column(String(64), index=True)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessDefinitionRow(Base):
    """A process definition a workflow state may name (流程定义版本): kept for as long as cases run on it."""

    __tablename__ = "process_definitions"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    process: Mapped[str] = mapped_column(String(100), index=True)
    specs: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
