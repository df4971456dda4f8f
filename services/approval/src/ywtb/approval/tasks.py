"""Task lists, claiming (签收) and completing (办理) a step, with AB 角 backups taking over."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ywtb.approval import authz
from ywtb.approval.core import CaseView, TaskView
from ywtb.approval.models import OPEN, BackupHandler, Instance, Task
from ywtb.approval.steps import StepCompletion
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.common.tenancy import PLATFORM_ADMIN


class TaskHandling(StepCompletion):
    """A handler's task list, claim and completion."""

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
        if task is None or (task.tenant != principal.tenant and not principal.has_role(PLATFORM_ADMIN)):
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
                    task.claimed_at = self.now()
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
            self.check_running(instance)
            return self.complete_step(
                session, instance, task, principal.subject, principal.name, opinion, decision, deemed=False
            )
