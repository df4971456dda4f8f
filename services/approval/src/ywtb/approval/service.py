"""Approval use cases; each public method is one transaction (completion: read, compute, one guarded write)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ywtb.api.approval.v1 import events_pb2
from ywtb.approval import authz, convert
from ywtb.approval.deadlines import (
    case_deadline,
    close_open_stops,
    default_calendar,
    extended_deadline,
    max_extension_days,
    step_deadline,
)
from ywtb.approval.engine import WorkflowEngine, WorkflowState, _is_user_task, _properties
from ywtb.approval.events import AcceptedCase, publish
from ywtb.approval.models import (
    CANCELLED,
    COMPLETED,
    DONE,
    OPEN,
    RUNNING,
    SUSPENDED,
    BackupHandler,
    ClockStopRow,
    Instance,
    Step,
    Task,
)
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import ClockStop
from ywtb.common.db import Database
from ywtb.common.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

SYSTEM_ACTOR = "system"
SYSTEM_NAME = "系统"
DEEMED_OPINION = "超时默认：法定期限内未作出决定，依法视为准予许可。"


def utc(moment: datetime) -> datetime:
    """An aware datetime in UTC (what every column stores; SQLite keeps no offset)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A column's datetime as aware UTC (SQLite returns it naive)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def _optimistic() -> Iterator[None]:
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


class ApprovalService:
    """Workflow instances of accepted cases, task lists, steps, special procedures, deadlines."""

    def __init__(
        self,
        db: Database,
        engine: WorkflowEngine | None = None,
        *,
        timeout_default_processes: Sequence[str] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.engine = engine or WorkflowEngine()
        self.timeout_default_processes = frozenset(timeout_default_processes)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calendar = default_calendar()

    # --- start (CaseAccepted consumer) -----------------------------------------------------

    def start_case(self, session: Session, case: AcceptedCase, event_id: str) -> bool:
        """Start the item's workflow for an accepted case in the consumer's transaction; False when it exists."""
        if session.get(Instance, case.case_no) is not None:
            return False  # a redelivery, or the same case announced twice: one workflow per case
        if case.process not in self.engine.library.names():
            raise InvalidArgument(
                f"办件 {case.case_no} 的审批流程“{case.process}”不存在，无法启动审批。",
                code="PROCESS_NOT_FOUND",
            )
        spec = self.engine.library.spec(case.process)
        facts: dict[str, object] = {
            "case_no": case.case_no,
            "dept": case.dept,
            "tenant": case.tenant,
            "item_id": case.item_id,
        }
        if spec.branches_over_items:
            facts["items"] = [
                {"code": i.code, "dept": i.dept, "name": i.name, "item_id": i.item_id} for i in case.items
            ]
        state = self.engine.start(case.process, facts)
        accepted_at = utc(case.accepted_at)
        promised_days = self._promised_days(case)
        instance = Instance(
            case_no=case.case_no,
            tenant=case.tenant,
            dept=case.dept,
            item_id=case.item_id,
            item_version=case.item_version,
            process=case.process,
            applicant=case.applicant,
            joint=spec.branches_over_items,
            timeout_default=case.timeout_default or case.process in self.timeout_default_processes,
            state=state.json,
            status=RUNNING,
            accepted_at=accepted_at,
            promised_days=promised_days,
            extension_days=0,
            extension_reason="",
            case_deadline=utc(case_deadline(accepted_at, promised_days, calendar=self.calendar)),
            source_event_id=event_id,
            created_at=utc(self.clock()),
        )
        session.add(instance)
        session.flush()
        self._sync_tasks(session, instance, state, accepted_at, [])
        return True

    def _promised_days(self, case: AcceptedCase) -> int:
        """The promised limit in working days: the event's, else its date's, else the process's step days."""
        if case.promised_days:
            return case.promised_days
        if case.promised_date is not None:
            end = datetime.combine(case.promised_date, time(12), tzinfo=self.calendar.tz)
            return max(self.calendar.workdays_between(case.accepted_at, end), 0)
        return self.process_days(case.process)

    def process_days(self, process: str) -> int:
        """Sum of the step limits of a process (a bundle's parallel branches count once)."""
        spec = self.engine.library.spec(process)
        days: dict[str, int] = {}
        for part in (spec.spec, *spec.subprocess_specs.values()):
            for task_spec in part.task_specs.values():
                if _is_user_task(task_spec):
                    days[task_spec.bpmn_id] = int(_properties(task_spec).get("stepDays", 0))
        return sum(days.values())

    def _sync_tasks(
        self,
        session: Session,
        instance: Instance,
        state: WorkflowState,
        now: datetime,
        stops: list[ClockStop],
    ) -> None:
        """Task rows for the newly ready steps; open rows the workflow no longer waits for are cancelled."""
        ready = self.engine.ready_tasks(state)
        open_rows = {
            row.task_id: row
            for row in session.scalars(
                select(Task).where(Task.case_no == instance.case_no, Task.status == OPEN)
            )
        }
        ready_ids = {task.task_id for task in ready}
        for task_id, row in open_rows.items():
            if task_id not in ready_ids:
                row.status = CANCELLED
        for task in ready:
            if task.task_id in open_rows:
                continue
            days = task.step_days or 0
            session.add(
                Task(
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
            )
        session.flush()

    # --- task list, claim, complete -----------------------------------------------------------

    def list_tasks(self, principal: Principal, case_no: str = "") -> list[TaskView]:
        """My tasks: claimed by me, claimable by my role in my department and tenant, or my absent colleagues'."""
        if not principal.has_role(*authz.STAFF_ROLES):
            raise PermissionDenied("只有工作人员可以查看待办任务。", message_en="staff only")
        with self.db.transaction() as session:
            absents = select(BackupHandler.absent).where(
                BackupHandler.backup == principal.subject, BackupHandler.tenant == principal.tenant
            )
            query = (
                select(Task, Instance.item_id, Instance.status)
                .join(Instance, Instance.case_no == Task.case_no)
                .where(
                    Task.tenant == principal.tenant,
                    Task.status == OPEN,
                    or_(
                        Task.claimed_by == principal.subject,
                        and_(
                            Task.claimed_by.is_(None),
                            Task.dept == principal.dept,
                            Task.candidate_role.in_(sorted(principal.roles)),
                        ),
                        Task.claimed_by.in_(absents),
                    ),
                )
                .order_by(Task.step_deadline, Task.case_no, Task.task_id)
            )
            if case_no:
                query = query.where(Task.case_no == case_no)
            return [TaskView(task, item_id, status) for task, item_id, status in session.execute(query)]

    def _task_for(self, session: Session, principal: Principal, case_no: str, task_id: str) -> Task:
        """The task, hidden (NotFound) from principals of other tenants."""
        task = session.get(Task, (case_no, task_id))
        if task is None or (task.tenant != principal.tenant and not principal.has_role("platform_admin")):
            raise NotFound("未找到该待办任务，请刷新待办列表。", code="TASK_NOT_FOUND")
        return task

    def _is_backup_of(self, session: Session, principal: Principal, task: Task) -> bool:
        """AB 角: the principal backs up the handler who claimed the task."""
        if not task.claimed_by:
            return False
        row = session.get(BackupHandler, (task.dept, task.claimed_by))
        return bool(row and row.tenant == task.tenant == principal.tenant and row.backup == principal.subject)

    def _check_handler(self, session: Session, principal: Principal, task: Task) -> None:
        """The principal may hold this task: claimable by role and department, or backing up its holder."""
        if task.status != OPEN:
            raise FailedPrecondition(
                f"“{task.title}”环节已办理完成或已失效，请刷新待办列表。", code="TASK_NOT_OPEN"
            )
        if task.claimed_by == principal.subject or self._is_backup_of(session, principal, task):
            return
        if task.claimed_by:
            raise FailedPrecondition(
                f"“{task.title}”任务已由其他工作人员签收，您不能办理；如该人员不在岗，请部门管理员设置 AB 角。",
                code="TASK_CLAIMED_BY_OTHER",
                message_en="task claimed by someone else",
            )
        if not authz.may_claim(principal, task.tenant, task.dept, task.candidate_role):
            raise PermissionDenied(
                f"“{task.title}”任务须由承办部门的相应岗位人员签收办理。",
                message_en="role or department does not match the task",
            )

    def claim_task(self, principal: Principal, case_no: str, task_id: str) -> TaskView:
        """签收: take an open task; someone else's claim → FAILED_PRECONDITION (AB 角 backups may take over)."""
        try:
            with self.db.transaction() as session:
                task = self._task_for(session, principal, case_no, task_id)
                self._check_handler(session, principal, task)
                instance = session.get(Instance, case_no)
                assert instance is not None
                if task.claimed_by != principal.subject:
                    task.claimed_by = principal.subject
                    task.claimed_at = utc(self.clock())
                    session.flush()  # UPDATE ... WHERE version = read version: a parallel claim loses here
                return TaskView(task, instance.item_id, instance.status)
        except StaleDataError as exc:
            raise FailedPrecondition(
                "该任务刚被其他工作人员签收，请刷新待办列表。",
                code="TASK_CLAIMED_BY_OTHER",
                message_en="task claimed concurrently by someone else",
            ) from exc

    def complete_task(
        self, principal: Principal, case_no: str, task_id: str, opinion: str, decision: str | None = None
    ) -> CaseView:
        """办理: complete a step with an opinion; new state, step record, tasks and events commit together."""
        opinion = (opinion or "").strip()
        if not opinion:
            raise InvalidArgument("请填写办理意见。", fields={"opinion": "必填"})
        decision = decision or None
        with self.db.transaction() as session:
            task = self._task_for(session, principal, case_no, task_id)
            self._check_handler(session, principal, task)
            instance = session.get(Instance, case_no)
            assert instance is not None
            self._check_running(instance)
            state, version = instance.state, instance.version
        # The engine runs outside any transaction; the write below only lands on the version read here.
        new_state = self.engine.complete(
            state, task_id, actor=principal.subject, opinion=opinion, decision=decision
        )
        return self._commit_step(
            principal.subject,
            principal.name,
            case_no,
            task_id,
            version,
            new_state,
            opinion,
            decision,
            deemed=False,
        )

    @staticmethod
    def _check_running(instance: Instance) -> None:
        if instance.status == SUSPENDED:
            raise FailedPrecondition(
                "该办件正处于特别程序（计时中止）中，请在特别程序结束、恢复计时后再办理。",
                code="CASE_SUSPENDED",
            )
        if instance.status == COMPLETED:
            raise FailedPrecondition("该办件已办结，不能再办理。", code="CASE_COMPLETED")

    def _commit_step(
        self,
        actor: str,
        actor_name: str,
        case_no: str,
        task_id: str,
        version: int,
        new_state: WorkflowState,
        opinion: str,
        decision: str | None,
        *,
        deemed: bool,
    ) -> CaseView:
        """One transaction: guarded state update, the task done, the step record, next tasks, outbox events."""
        with self.db.transaction() as session, _optimistic():
            instance = session.get(Instance, case_no)
            task = session.get(Task, (case_no, task_id))
            assert instance is not None and task is not None
            if instance.version != version or task.status != OPEN:
                raise Conflict(
                    "该办件刚被其他人员办理，本次提交未生效；请刷新后查看最新办理状态。",
                    code="CASE_VERSION_CONFLICT",
                )
            stops = self._stops(session, case_no)
            deadline_at = aware(task.step_deadline)
            now = deadline_at if deemed else utc(self.clock())
            assert now is not None and deadline_at is not None
            instance.state = new_state.json
            task.status = DONE
            task.completed_at = now
            if not task.claimed_by:
                task.claimed_by, task.claimed_at = actor, now
            seq = new_state.step_count
            on_time = (not deemed) and now <= deadline_at
            session.add(
                Step(
                    case_no=case_no,
                    seq=seq,
                    tenant=instance.tenant,
                    task_id=task_id,
                    step=task.step,
                    title=task.title,
                    dept=task.dept,
                    item_code=task.item_code,
                    actor=actor,
                    actor_name=actor_name,
                    opinion=opinion,
                    decision=decision,
                    started_at=task.started_at,
                    completed_at=now,
                    step_deadline=deadline_at,
                    on_time=on_time,
                )
            )
            session.flush()  # the version-guarded UPDATE: a concurrent completion fails here
            self._sync_tasks(session, instance, new_state, now, self._as_stops(stops))
            facts = self._facts(instance, stops, now)
            publish(
                session,
                events_pb2.CaseStepCompleted(
                    case_no=case_no,
                    tenant=instance.tenant,
                    dept=task.dept,
                    item_id=instance.item_id,
                    step=task.step,
                    title=task.title,
                    actor=authz.mask_name(actor_name),
                    opinion=opinion,
                    decision=convert.decision(decision),
                    started_at=convert.timestamp(aware(task.started_at)),
                    completed_at=convert.timestamp(now),
                    step_deadline=convert.timestamp(deadline_at),
                    on_time=on_time,
                    item_code=task.item_code,
                    seq=seq,
                    deadline=facts,
                ),
                key=case_no,
                tenant=instance.tenant,
            )
            self._decide(session, instance, new_state, decision, opinion, now, facts, deemed)
            session.flush()
            return self._view(session, instance, now)

    def _decide(
        self,
        session: Session,
        instance: Instance,
        state: WorkflowState,
        decision: str | None,
        opinion: str,
        now: datetime,
        facts: events_pb2.DeadlineFacts,  # type: ignore[name-defined]
        deemed: bool,
    ) -> None:
        """Approval, denial and completion events once the workflow reaches them."""
        # Still undecided: an open decision step, or an open step of a 一件事 branch (its decision follows).
        pending_decisions = session.scalars(
            select(Task.task_id).where(
                Task.case_no == instance.case_no,
                Task.status == OPEN,
                or_(Task.decision_required.is_(True), Task.item_code != ""),
            )
        ).first()
        denied_before = session.scalars(
            select(Step.seq).where(Step.case_no == instance.case_no, Step.decision == "deny")
        ).first()
        approved = (state.completed and state.outcome == "approved") or (
            decision == "approve" and pending_decisions is None and denied_before is None
        )
        if approved and instance.approved_at is None:
            instance.approved_at = now
            publish(
                session,
                events_pb2.CaseApproved(
                    case_no=instance.case_no,
                    tenant=instance.tenant,
                    dept=instance.dept,
                    item_id=instance.item_id,
                    approved_at=convert.timestamp(now),
                    deemed=deemed,
                    deadline=facts,
                ),
                key=instance.case_no,
                tenant=instance.tenant,
            )
        if not state.completed:
            return
        instance.status = COMPLETED
        instance.outcome = state.outcome
        instance.completed_at = now
        if state.outcome == "denied":
            reasons = [
                step.opinion
                for step in session.scalars(
                    select(Step)
                    .where(Step.case_no == instance.case_no, Step.decision == "deny")
                    .order_by(Step.seq)
                )
            ]
            publish(
                session,
                events_pb2.CaseDenied(
                    case_no=instance.case_no,
                    tenant=instance.tenant,
                    dept=instance.dept,
                    item_id=instance.item_id,
                    reason="；".join(reasons) or opinion,
                    denied_at=convert.timestamp(now),
                    deadline=facts,
                ),
                key=instance.case_no,
                tenant=instance.tenant,
            )
        publish(
            session,
            events_pb2.CaseCompleted(
                case_no=instance.case_no,
                tenant=instance.tenant,
                dept=instance.dept,
                item_id=instance.item_id,
                outcome=convert.decision("approve" if state.outcome == "approved" else "deny"),
                completed_at=convert.timestamp(now),
                on_time=now <= (aware(instance.case_deadline) or now),
                deadline=facts,
            ),
            key=instance.case_no,
            tenant=instance.tenant,
        )

    # --- 超时默认 ------------------------------------------------------------------------------

    def apply_timeouts(self, now: datetime | None = None) -> list[str]:
        """超时默认: decide steps past their deadline, of cases configured so, approved by the system."""
        now = utc(now or self.clock())
        with self.db.transaction() as session:
            due = list(
                session.execute(
                    select(Task.case_no, Task.task_id)
                    .join(Instance, Instance.case_no == Task.case_no)
                    .where(
                        Task.status == OPEN,
                        Task.decision_required.is_(True),
                        Task.step_deadline < now,
                        Instance.status == RUNNING,
                        or_(
                            Instance.timeout_default.is_(True),
                            Instance.process.in_(sorted(self.timeout_default_processes)),
                        ),
                    )
                    .order_by(Task.step_deadline, Task.case_no, Task.task_id)
                )
            )
        done: list[str] = []
        for case_no, task_id in due:
            try:
                self._deem_approved(case_no, task_id)
                done.append(case_no)
            except (Conflict, FailedPrecondition):
                continue  # someone decided in the meantime, or another worker got there first
        return done

    def _deem_approved(self, case_no: str, task_id: str) -> None:
        with self.db.transaction() as session:
            instance = session.get(Instance, case_no)
            task = session.get(Task, (case_no, task_id))
            if instance is None or task is None or task.status != OPEN:
                raise FailedPrecondition("任务已办理", code="TASK_NOT_OPEN")
            self._check_running(instance)
            state, version = instance.state, instance.version
        new_state = self.engine.complete(
            state, task_id, actor=SYSTEM_ACTOR, opinion=DEEMED_OPINION, decision="approve"
        )
        self._commit_step(
            SYSTEM_ACTOR,
            SYSTEM_NAME,
            case_no,
            task_id,
            version,
            new_state,
            DEEMED_OPINION,
            "approve",
            deemed=True,
        )

    # --- AB 角 ---------------------------------------------------------------------------------

    def set_backup_handler(
        self, principal: Principal, dept: str, absent: str, backup: str, *, clear: bool = False
    ) -> BackupHandler | None:
        """AB 角: the department admin names (or clears) the backup of an absent handler."""
        dept = dept or principal.dept
        authz.require_dept_admin(principal, principal.tenant, dept)
        absent, backup = absent.strip(), backup.strip()
        if not absent or (not clear and not backup):
            raise InvalidArgument("请指定不在岗人员和代班（B 角）人员。", fields={"backup_subject": "必填"})
        if absent == backup:
            raise InvalidArgument("代班人员不能是不在岗人员本人。", fields={"backup_subject": "须为他人"})
        with self.db.transaction() as session:
            row = session.get(BackupHandler, (dept, absent))
            if clear:
                if row is not None:
                    session.delete(row)
                return None
            if row is None:
                row = BackupHandler(dept=dept, absent=absent, tenant=principal.tenant)
                session.add(row)
            row.backup, row.set_by, row.set_at = backup, principal.subject, utc(self.clock())
            return row

    # --- 特别程序, 延长期限 ----------------------------------------------------------------------

    def _case_for(
        self, session: Session, principal: Principal, case_no: str, *, actor: bool = False
    ) -> Instance:
        """The case, once the principal may read it (and, with actor=True, act on it)."""
        instance = session.get(Instance, case_no)
        if instance is None:
            raise NotFound(f"未找到办件 {case_no} 的审批信息，请核对办件编号。", code="CASE_NOT_FOUND")
        depts = self._depts(session, instance)
        authz.require_read_case(principal, instance.tenant, depts, instance.applicant)
        if actor:
            authz.require_case_actor(principal, instance.tenant, depts)
        return instance

    @staticmethod
    def _depts(session: Session, instance: Instance) -> set[str]:
        return {instance.dept, *session.scalars(select(Task.dept).where(Task.case_no == instance.case_no))}

    def suspend_case(self, principal: Principal, case_no: str, kind: str, reason: str) -> CaseView:
        """特别程序开始: the clock stops from now (行政许可法第四十五条: the applicant is told in writing)."""
        kind, reason = (kind or "").strip(), (reason or "").strip()
        if not kind or not reason:
            raise InvalidArgument(
                "启动特别程序须写明程序种类（如听证、检验检测、专家评审）和理由。",
                fields={k: "必填" for k, v in (("kind", kind), ("reason", reason)) if not v},
            )
        with self.db.transaction() as session, _optimistic():
            instance = self._case_for(session, principal, case_no, actor=True)
            self._check_running(instance)
            now = utc(self.clock())
            stop = ClockStopRow(
                case_no=case_no,
                tenant=instance.tenant,
                kind=kind,
                reason=reason,
                started_at=now,
                started_by=principal.subject,
            )
            session.add(stop)
            instance.status = SUSPENDED
            session.flush()
            stops = self._stops(session, case_no)
            publish(
                session,
                events_pb2.CaseSuspended(
                    case_no=case_no,
                    tenant=instance.tenant,
                    dept=instance.dept,
                    stop=convert.clock_stop(stop),
                    deadline=self._facts(instance, stops, now),
                ),
                key=case_no,
                tenant=instance.tenant,
            )
            return self._view(session, instance, now)

    def resume_case(self, principal: Principal, case_no: str, result: str = "") -> CaseView:
        """特别程序结束: the clock runs again; case and step deadlines move by the stopped working days."""
        with self.db.transaction() as session, _optimistic():
            instance = self._case_for(session, principal, case_no, actor=True)
            if instance.status != SUSPENDED:
                raise FailedPrecondition("该办件不在特别程序中，无需恢复计时。", code="CASE_NOT_SUSPENDED")
            now = utc(self.clock())
            stops = self._stops(session, case_no)
            stop = next(row for row in stops if row.ended_at is None)
            stop.ended_at, stop.ended_by, stop.result = now, principal.subject, (result or "").strip()
            instance.status = RUNNING
            closed = self._as_stops(stops)
            instance.case_deadline = utc(self._case_deadline(instance, closed))
            for task in session.scalars(select(Task).where(Task.case_no == case_no, Task.status == OPEN)):
                started = aware(task.started_at)
                assert started is not None
                task.step_deadline = utc(
                    step_deadline(started, task.step_days, closed, calendar=self.calendar)
                )
            session.flush()
            publish(
                session,
                events_pb2.CaseResumed(
                    case_no=case_no,
                    tenant=instance.tenant,
                    dept=instance.dept,
                    stop=convert.clock_stop(stop),
                    result=stop.result,
                    deadline=self._facts(instance, stops, now),
                ),
                key=case_no,
                tenant=instance.tenant,
            )
            return self._view(session, instance, now)

    def extend_deadline(self, principal: Principal, case_no: str, reason: str) -> CaseView:
        """延长期限 (行政许可法第四十二条): once, by 10 working days (15 for joint handling), with a reason."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidArgument("延长办理期限须写明理由，并告知申请人。", fields={"reason": "必填"})
        with self.db.transaction() as session, _optimistic():
            instance = self._case_for(session, principal, case_no, actor=True)
            if instance.status == COMPLETED:
                raise FailedPrecondition("该办件已办结，不能延长期限。", code="CASE_COMPLETED")
            if instance.extension_days:
                raise FailedPrecondition(
                    "该办件已延长过一次办理期限，依法不能再次延长。", code="ALREADY_EXTENDED"
                )
            now = utc(self.clock())
            stops = self._stops(session, case_no)
            days = max_extension_days(joint=instance.joint)
            accepted_at = aware(instance.accepted_at)
            assert accepted_at is not None
            instance.case_deadline = utc(
                extended_deadline(
                    accepted_at,
                    instance.promised_days,
                    days,
                    close_open_stops(self._as_stops(stops), now),
                    joint=instance.joint,
                    calendar=self.calendar,
                )
            )
            instance.extension_days, instance.extension_reason = days, reason
            session.flush()
            publish(
                session,
                events_pb2.CaseDeadlineExtended(
                    case_no=case_no,
                    tenant=instance.tenant,
                    dept=instance.dept,
                    reason=reason,
                    deadline=self._facts(instance, stops, now),
                ),
                key=case_no,
                tenant=instance.tenant,
            )
            return self._view(session, instance, now)

    # --- reads -----------------------------------------------------------------------------------

    def get_case(self, principal: Principal, case_no: str) -> CaseView:
        """A case with its deadlines, stops, open tasks and steps (the applicant, its staff, supervisors)."""
        with self.db.transaction() as session:
            instance = self._case_for(session, principal, case_no)
            return self._view(session, instance, utc(self.clock()))

    def _view(self, session: Session, instance: Instance, now: datetime) -> CaseView:
        return CaseView(
            instance=instance,
            stops=self._stops(session, instance.case_no),
            open_tasks=list(
                session.scalars(
                    select(Task)
                    .where(Task.case_no == instance.case_no, Task.status == OPEN)
                    .order_by(Task.started_at, Task.task_id)
                )
            ),
            steps=list(
                session.scalars(select(Step).where(Step.case_no == instance.case_no).order_by(Step.seq))
            ),
            now=now,
        )

    # --- deadlines -------------------------------------------------------------------------------

    @staticmethod
    def _stops(session: Session, case_no: str) -> list[ClockStopRow]:
        return list(
            session.scalars(
                select(ClockStopRow).where(ClockStopRow.case_no == case_no).order_by(ClockStopRow.id)
            )
        )

    @staticmethod
    def _as_stops(rows: Sequence[ClockStopRow]) -> list[ClockStop]:
        return [(aware(row.started_at), aware(row.ended_at)) for row in rows]  # type: ignore[misc]

    def _case_deadline(self, instance: Instance, stops: Sequence[ClockStop]) -> datetime:
        accepted_at = aware(instance.accepted_at)
        assert accepted_at is not None
        return case_deadline(
            accepted_at,
            instance.promised_days,
            stops,
            extension_days=instance.extension_days,
            calendar=self.calendar,
        )

    def current_deadline(self, instance: Instance, stops: Sequence[ClockStopRow], now: datetime) -> datetime:
        """The case deadline; while suspended, the provisional one (the procedure taken as ending now)."""
        if instance.status == SUSPENDED:
            return self._case_deadline(instance, close_open_stops(self._as_stops(stops), now))
        deadline = aware(instance.case_deadline)
        assert deadline is not None
        return deadline

    def _facts(self, instance: Instance, stops: Sequence[ClockStopRow], now: datetime):  # type: ignore[no-untyped-def]
        """The deadline facts every approval event carries."""
        accepted_at = aware(instance.accepted_at)
        assert accepted_at is not None
        return convert.deadline_facts(
            instance,
            stops,
            self.current_deadline(instance, stops, now),
            self.calendar.workdays_between(accepted_at, now, self._as_stops(stops)),
        )

    def elapsed_workdays(self, view: CaseView) -> int:
        """Counted working days from acceptance to the view's time."""
        accepted_at = aware(view.instance.accepted_at)
        assert accepted_at is not None
        return self.calendar.workdays_between(accepted_at, view.now, self._as_stops(view.stops))


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 Asia/Shanghai of a day (what deadlines are)."""
    return datetime.combine(day, time.max, tzinfo=default_calendar().tz)
