"""Completing a step (办理): the one guarded write that records it and publishes what follows from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2
from ywtb.approval import events
from ywtb.approval.core import ApprovalCore, CaseView, optimistic
from ywtb.approval.deadlines import as_stops
from ywtb.approval.engine import WorkflowState
from ywtb.approval.models import COMPLETED, DONE, OPEN, Instance, Step, Task
from ywtb.common.clock import utc
from ywtb.common.errors import Conflict


class StepCompletion(ApprovalCore):
    """The write both a handler's completion and 超时默认 end in."""

    def commit_step(
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
        with self.db.transaction() as session, optimistic():
            instance = session.get(Instance, case_no)
            task = session.get(Task, (case_no, task_id))
            assert instance is not None and task is not None
            if instance.version != version or task.status != OPEN:
                raise Conflict(
                    "该办件刚被其他人员办理，本次提交未生效；请刷新后查看最新办理状态。",
                    code="CASE_VERSION_CONFLICT",
                )
            stops = self.stops_of(session, case_no)
            deadline_at = utc(task.step_deadline)
            now = deadline_at if deemed else self.now()
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
            self.sync_tasks(session, instance, new_state, now, as_stops(stops))
            facts = self.facts(instance, stops, now)
            events.stage(
                session,
                events.case_step_completed(
                    instance,
                    task,
                    actor_name=actor_name,
                    opinion=opinion,
                    decision=decision,
                    completed_at=now,
                    step_deadline=deadline_at,
                    on_time=on_time,
                    seq=seq,
                    facts=facts,
                ),
            )
            self._decide(session, instance, new_state, decision, opinion, now, facts, deemed)
            session.flush()
            return self.view(session, instance, now)

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
            events.stage(session, events.case_approved(instance, now, facts, deemed=deemed))
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
            events.stage(session, events.case_denied(instance, "；".join(reasons) or opinion, now, facts))
        outcome = "approve" if state.outcome == "approved" else "deny"
        on_time = now <= utc(instance.case_deadline)
        events.stage(session, events.case_completed(instance, outcome, now, on_time, facts))
