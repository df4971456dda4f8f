"""Approval rows to their protobuf messages (the one place that knows both)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ywtb.api.approval.v1 import approval_pb2 as pb
from ywtb.approval.models import (
    CANCELLED,
    COMPLETED,
    DONE,
    OPEN,
    RUNNING,
    SUSPENDED,
    ClockStopRow,
    Instance,
    Task,
)
from ywtb.common.calendar import DeadlineColour, deadline_light
from ywtb.common.clock import utc
from ywtb.common.timestamps import timestamp

_CASE_STATUS = {
    RUNNING: pb.CASE_STATUS_RUNNING,
    SUSPENDED: pb.CASE_STATUS_SUSPENDED,
    COMPLETED: pb.CASE_STATUS_COMPLETED,
}
_TASK_STATUS = {OPEN: pb.TASK_STATUS_OPEN, DONE: pb.TASK_STATUS_DONE, CANCELLED: pb.TASK_STATUS_CANCELLED}
_DECISION = {"approve": pb.DECISION_APPROVE, "deny": pb.DECISION_DENY}
_OUTCOME = {"approved": pb.DECISION_APPROVE, "denied": pb.DECISION_DENY}
_COLOUR = {
    DeadlineColour.GREEN: pb.DEADLINE_COLOUR_GREEN,
    DeadlineColour.YELLOW: pb.DEADLINE_COLOUR_YELLOW,
    DeadlineColour.RED: pb.DEADLINE_COLOUR_RED,
}


def decision(value: str | None) -> pb.Decision.ValueType:
    """approve / deny → the Decision enum (UNSPECIFIED for steps that do not decide)."""
    return _DECISION.get(value or "", pb.DECISION_UNSPECIFIED)


def decision_of(value: int) -> str | None:
    """The Decision enum → approve / deny / None."""
    names: dict[int, str] = {pb.DECISION_APPROVE: "approve", pb.DECISION_DENY: "deny"}
    return names.get(value)


def outcome(value: str | None) -> pb.Decision.ValueType:
    return _OUTCOME.get(value or "", pb.DECISION_UNSPECIFIED)


def case_status(value: str) -> pb.CaseStatus.ValueType:
    return _CASE_STATUS.get(value, pb.CASE_STATUS_UNSPECIFIED)


def colour(now: datetime, deadline: datetime) -> pb.DeadlineColour.ValueType:
    """The supervision light of a deadline (the one rule of ywtb.common.calendar.deadline_light)."""
    return _COLOUR[deadline_light(now, utc(deadline)).colour]


def clock_stop(row: ClockStopRow) -> pb.ClockStop:
    return pb.ClockStop(
        kind=row.kind,
        reason=row.reason,
        started_at=timestamp(row.started_at),
        ended_at=timestamp(row.ended_at),
    )


def deadline_facts(
    instance: Instance, stops: Sequence[ClockStopRow], deadline: datetime, elapsed: int
) -> pb.DeadlineFacts:
    return pb.DeadlineFacts(
        accepted_at=timestamp(instance.accepted_at),
        promised_days=instance.promised_days,
        extension_days=instance.extension_days,
        case_deadline=timestamp(deadline),
        elapsed_workdays=elapsed,
        clock_stops=[clock_stop(row) for row in stops],
    )


def task(row: Task, *, item_id: str, status: str, now: datetime) -> pb.Task:
    return pb.Task(
        task_id=row.task_id,
        case_no=row.case_no,
        tenant=row.tenant,
        dept=row.dept,
        step=row.step,
        title=row.title,
        candidate_role=row.candidate_role,
        item_code=row.item_code,
        decision_required=row.decision_required,
        claimed_by=row.claimed_by or "",
        started_at=timestamp(row.started_at),
        step_deadline=timestamp(row.step_deadline),
        colour=colour(now, row.step_deadline) if row.status == OPEN else pb.DEADLINE_COLOUR_UNSPECIFIED,
        status=_TASK_STATUS.get(row.status, pb.TASK_STATUS_UNSPECIFIED),
        item_id=item_id,
        case_status=case_status(status),
    )


def case(view, deadline: datetime, elapsed: int) -> pb.Case:  # type: ignore[no-untyped-def]
    """A CaseView (service.CaseView) as the Case message; deadline is the current (or provisional) one."""
    row: Instance = view.instance
    return pb.Case(
        case_no=row.case_no,
        tenant=row.tenant,
        dept=row.dept,
        item_id=row.item_id,
        item_version=row.item_version,
        process=row.process,
        status=case_status(row.status),
        outcome=outcome(row.outcome),
        deadline=deadline_facts(row, view.stops, deadline, elapsed),
        colour=colour(view.now, deadline) if row.status != COMPLETED else pb.DEADLINE_COLOUR_UNSPECIFIED,
        open_tasks=[task(t, item_id=row.item_id, status=row.status, now=view.now) for t in view.open_tasks],
        completed_at=timestamp(row.completed_at),
        extension_reason=row.extension_reason,
    )


def timeline(view, deadline: datetime, mask) -> pb.GetCaseTimelineResponse:  # type: ignore[no-untyped-def]
    """The applicant's view: steps done (handlers masked) and steps in progress, in order."""
    entries = [
        pb.TimelineEntry(
            title=step.title,
            dept=step.dept,
            started_at=timestamp(step.started_at),
            completed_at=timestamp(step.completed_at),
            handler=mask(step.actor_name),
            opinion=step.opinion,
            decision=decision(step.decision),
            on_time=step.on_time,
        )
        for step in view.steps
    ] + [
        pb.TimelineEntry(title=t.title, dept=t.dept, started_at=timestamp(t.started_at), in_progress=True)
        for t in view.open_tasks
    ]
    row: Instance = view.instance
    return pb.GetCaseTimelineResponse(
        case_no=row.case_no,
        status=case_status(row.status),
        outcome=outcome(row.outcome),
        case_deadline=timestamp(deadline),
        entries=entries,
        clock_stops=[clock_stop(s) for s in view.stops],
    )
