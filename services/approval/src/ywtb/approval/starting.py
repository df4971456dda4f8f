"""Starting approval: each accepted case (intake's CaseAccepted) starts one workflow instance."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ywtb.approval.core import ApprovalCore
from ywtb.approval.deadlines import case_deadline, promised_workdays
from ywtb.approval.events import AcceptedCase
from ywtb.approval.library import is_user_task, properties
from ywtb.approval.models import RUNNING, Instance
from ywtb.common.clock import utc
from ywtb.common.errors import InvalidArgument


class CaseStarts(ApprovalCore):
    """The CaseAccepted consumer's use case."""

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
        promised_days = promised_workdays(case, self.process_days(case.process), self.calendar)
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
            created_at=self.now(),
        )
        session.add(instance)
        self.sync_tasks(session, instance, state, accepted_at, [], open_rows=[])
        return True

    def process_days(self, process: str) -> int:
        """Sum of the step limits of a process (a bundle's parallel branches count once)."""
        spec = self.engine.library.spec(process)
        days: dict[str, int] = {}
        for part in (spec.spec, *spec.subprocess_specs.values()):
            for task_spec in part.task_specs.values():
                if is_user_task(task_spec):
                    days[task_spec.bpmn_id] = int(properties(task_spec).get("stepDays", 0))
        return sum(days.values())
