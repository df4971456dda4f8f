"""Completing a step (办理): the one guarded write that records it and publishes what follows from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import events_pb2
from ywtb.approval import events
from ywtb.approval.core import ApprovalCore, CaseView, optimistic
from ywtb.approval.deadlines import as_stops
from ywtb.approval.engine import WorkflowState
from ywtb.approval.models import COMPLETED, DONE, Instance, Step, Task
from ywtb.common.clock import utc


class StepCompletion(ApprovalCore):
    """The write both a handler's completion and 超时默认 end in."""

    def complete_step(
        self,
        session: Session,
        instance: Instance,
        task: Task,
        actor: str,
        actor_name: str,
        opinion: str,
        decision: str | None,
        *,
        deemed: bool,
    ) -> CaseView:
        """In the caller's transaction: run the step, then the new state, step record, next tasks and events.

        The instance's version guards the write: a concurrent completion of the same case fails at
        the flush (CASE_VERSION_CONFLICT) and this transaction rolls back whole.
        """
        new_state = self.engine.complete(
            instance.state, task.task_id, actor=actor, opinion=opinion, decision=decision
        )
        with optimistic():
            return self._record(
                session, instance, task, new_state, actor, actor_name, opinion, decision, deemed
            )

    def _record(
        self,
        session: Session,
        instance: Instance,
        task: Task,
        new_state: WorkflowState,
        actor: str,
        actor_name: str,
        opinion: str,
        decision: str | None,
        deemed: bool,
    ) -> CaseView:
        """The writes of one completed step: every read first, then one flush at commit."""
        stops = self.stops_of(session, instance.case_no)
        open_rows = self.open_tasks(session, instance.case_no)
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
                case_no=instance.case_no,
                seq=seq,
                tenant=instance.tenant,
                task_id=task.task_id,
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
        open_rows = self.sync_tasks(session, instance, new_state, now, as_stops(stops), open_rows)
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
        session.flush()  # the version-guarded UPDATE: a concurrent completion fails here
        return self.view(session, instance, now, stops=stops, open_tasks=open_rows)

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
        pending_decisions = any(task.decision_required or task.item_code for task in state.tasks)
        denials = [step for step in self.engine.history(state) if step.decision == "deny"]
        approved = (state.completed and state.outcome == "approved") or (
            decision == "approve" and not pending_decisions and not denials
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
            reasons = [step.opinion for step in denials]
            events.stage(session, events.case_denied(instance, "；".join(reasons) or opinion, now, facts))
        outcome = "approve" if state.outcome == "approved" else "deny"
        on_time = now <= utc(instance.case_deadline)
        events.stage(session, events.case_completed(instance, outcome, now, on_time, facts))
