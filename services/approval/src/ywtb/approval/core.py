"""What every approval use case shares: the service's parts, the views, task sync, case reads and checks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ywtb.api.approval.v1 import approval_pb2
from ywtb.approval import authz, convert, deadlines
from ywtb.approval.archive import DefinitionArchive
from ywtb.approval.deadlines import close_open_stops, step_deadline
from ywtb.approval.engine import WorkflowEngine, WorkflowState
from ywtb.approval.models import CANCELLED, COMPLETED, OPEN, SUSPENDED, ClockStopRow, Instance, Step, Task
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import ClockStop, WorkCalendar, national_calendar
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import Conflict, FailedPrecondition, NotFound


@contextmanager
def optimistic() -> Iterator[None]:
    """Turn a lost optimistic-lock race into a clean ABORTED with a Chinese message."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict(
            "该办件刚被其他人员办理，本次提交未生效；请刷新后查看最新办理状态。",
            code="CASE_VERSION_CONFLICT",
            message_en="the case changed concurrently",
        ) from exc


@dataclass(frozen=True)
class TaskView:
    """A task with the case facts a task list shows."""

    task: Task
    item_id: str
    case_status: str


@dataclass(frozen=True)
class CaseView:
    """A case with its stops, open tasks and steps, read in one transaction."""

    instance: Instance
    stops: list[ClockStopRow]
    open_tasks: list[Task]
    steps: list[Step]
    now: datetime


class ApprovalCore(Clocked):
    """The database, workflow engine, clock and calendar, and the reads and checks the use cases share."""

    def __init__(
        self,
        db: Database,
        engine: WorkflowEngine | None = None,
        *,
        timeout_default_processes: Sequence[str] = (),
        clock: Clock = utc_now,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self.db = db
        self.engine = engine or WorkflowEngine()
        archive = DefinitionArchive(db)
        archive.keep(self.engine.definitions())
        self.engine.attach_archive(archive.lookup)
        self.timeout_default_processes = frozenset(timeout_default_processes)
        self.clock = clock
        self.calendar = calendar or national_calendar()

    @staticmethod
    def check_running(instance: Instance) -> None:
        """FailedPrecondition unless the case runs (not suspended, not completed)."""
        if instance.status == SUSPENDED:
            raise FailedPrecondition(
                "该办件正处于特别程序（计时中止）中，请在特别程序结束、恢复计时后再办理。",
                code="CASE_SUSPENDED",
            )
        if instance.status == COMPLETED:
            raise FailedPrecondition("该办件已办结，不能再办理。", code="CASE_COMPLETED")

    def sync_tasks(
        self,
        session: Session,
        instance: Instance,
        state: WorkflowState,
        now: datetime,
        stops: list[ClockStop],
        open_rows: list[Task] | None = None,
    ) -> list[Task]:
        """Task rows for the newly ready steps, open rows the workflow no longer waits for cancelled; the open rows.

        `open_rows`: the case's open rows when the caller read them already (none for a new case).
        """
        if open_rows is None:
            open_rows = self.open_tasks(session, instance.case_no)
        by_id = {row.task_id: row for row in open_rows}
        ready = {task.task_id: task for task in state.tasks}
        still_open = []
        for row in open_rows:
            if row.task_id in ready:
                still_open.append(row)
            else:
                row.status = CANCELLED
        for task in state.tasks:
            if task.task_id in by_id:
                continue
            days = task.step_days or 0
            row = Task(
                case_no=instance.case_no,
                task_id=task.task_id,
                tenant=instance.tenant,
                step=task.name,
                title=task.title,
                candidate_role=task.candidate_role,
                dept=task.dept,
                item_code=task.item_code or "",
                decision_required=task.decision_required,
                step_days=days,
                status=OPEN,
                started_at=now,
                step_deadline=utc(
                    step_deadline(now, days, close_open_stops(stops, now), calendar=self.calendar)
                ),
            )
            session.add(row)
            still_open.append(row)
        return sorted(still_open, key=lambda row: (utc(row.started_at), row.task_id))

    @staticmethod
    def open_tasks(session: Session, case_no: str) -> list[Task]:
        """A case's open task rows, oldest first."""
        return list(
            session.scalars(
                select(Task)
                .where(Task.case_no == case_no, Task.status == OPEN)
                .order_by(Task.started_at, Task.task_id)
            )
        )

    def case_for(
        self, session: Session, principal: Principal, case_no: str, *, actor: bool = False
    ) -> Instance:
        """The case, once the principal may read it (and, with actor=True, act on it)."""
        instance = session.get(Instance, case_no)
        if instance is None:
            raise NotFound(f"未找到办件 {case_no} 的审批信息，请核对办件编号。", code="CASE_NOT_FOUND")
        depts = {instance.dept, *session.scalars(select(Task.dept).where(Task.case_no == instance.case_no))}
        authz.require_read_case(principal, instance.tenant, depts, instance.applicant)
        if actor:
            authz.require_case_actor(principal, instance.tenant, depts)
        return instance

    @staticmethod
    def stops_of(session: Session, case_no: str) -> list[ClockStopRow]:
        """A case's clock stop rows, in order."""
        return list(
            session.scalars(
                select(ClockStopRow).where(ClockStopRow.case_no == case_no).order_by(ClockStopRow.id)
            )
        )

    def view(
        self,
        session: Session,
        instance: Instance,
        now: datetime,
        *,
        stops: list[ClockStopRow] | None = None,
        open_tasks: list[Task] | None = None,
    ) -> CaseView:
        """The case with its stops, open tasks (those given, when just known) and steps."""
        return CaseView(
            instance=instance,
            stops=self.stops_of(session, instance.case_no) if stops is None else stops,
            open_tasks=self.open_tasks(session, instance.case_no) if open_tasks is None else open_tasks,
            steps=list(
                session.scalars(select(Step).where(Step.case_no == instance.case_no).order_by(Step.seq))
            ),
            now=now,
        )

    def current_deadline(self, instance: Instance, stops: Sequence[ClockStopRow], now: datetime) -> datetime:
        """The case deadline; while suspended, the provisional one (the procedure taken as ending now)."""
        return deadlines.current_deadline(instance, stops, now, self.calendar)

    def elapsed_workdays(self, view: CaseView) -> int:
        """Counted working days from acceptance to the view's time."""
        return deadlines.elapsed_workdays(view.instance, view.stops, view.now, self.calendar)

    def facts(
        self, instance: Instance, stops: Sequence[ClockStopRow], now: datetime
    ) -> approval_pb2.DeadlineFacts:
        """The deadline facts every approval event carries."""
        return convert.deadline_facts(
            instance,
            stops,
            self.current_deadline(instance, stops, now),
            deadlines.elapsed_workdays(instance, stops, now, self.calendar),
        )
