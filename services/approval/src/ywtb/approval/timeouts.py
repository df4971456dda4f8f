"""超时默认: decision steps of configured items past their deadline are deemed approved by the system."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select

from ywtb.approval.models import OPEN, RUNNING, Instance, Task
from ywtb.approval.steps import StepCompletion
from ywtb.common.clock import utc
from ywtb.common.errors import Conflict, FailedPrecondition

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
SYSTEM_NAME = "系统"
DEEMED_OPINION = "超时默认：法定期限内未作出决定，依法视为准予许可。"


class Timeouts(StepCompletion):
    """The round the timeouts worker runs; safe with several replicas (the write is version-guarded)."""

    def apply_timeouts(self, now: datetime | None = None) -> list[str]:
        """超时默认: decide steps past their deadline, of cases configured so, approved by the system."""
        now = utc(now) if now else self.now()
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
                log.info("case %s: decision deemed approved (超时默认)", case_no)
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
            self.check_running(instance)
            self.complete_step(
                session, instance, task, SYSTEM_ACTOR, SYSTEM_NAME, DEEMED_OPINION, "approve", deemed=True
            )
