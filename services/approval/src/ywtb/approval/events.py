"""What the approval service publishes and consumes: topics, the case-event builders, the CaseAccepted adapter.

Every case event carries the same envelope (case number, tenant, department, item) and is keyed by
the case number, so one case's events stay ordered: the builders below fill it, `stage` publishes.

`accepted_case_of` is the only place that knows the shape of intake's CaseAccepted event: it parses
the event proto (ywtb.api.intake.v1.CaseAccepted) and checks what approval cannot start without.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypedDict

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.api.approval.v1 import approval_pb2, events_pb2
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import events_pb2 as intake_events
from ywtb.approval import authz, convert
from ywtb.approval.models import ClockStopRow, Instance, Task, metadata
from ywtb.common.events.envelope import Event, MalformedEvent
from ywtb.common.events.typed import EventTypes
from ywtb.common.timestamps import from_timestamp

CASE_TOPIC = "ywtb.approval.case.v1"
INTAKE_CASE_TOPIC = "ywtb.intake.case.v1"
CONSUMER_GROUP = "ywtb-approval"
INTAKE_EVENTS = EventTypes(intake_events.CaseAccepted)  # the other intake case events start nothing
WORKDAY_UNITS = (catalog_pb2.TIME_UNIT_WORKDAY, catalog_pb2.TIME_UNIT_UNSPECIFIED)

publish = metadata.publisher(CASE_TOPIC)  # key = case number

Facts = approval_pb2.DeadlineFacts


def stage(session: Session, message: Message) -> None:
    """Stage a case event in the caller's transaction, keyed by its case number, in its tenant."""
    publish(session, message, key=message.case_no, tenant=message.tenant)  # type: ignore[attr-defined]


class _Envelope(TypedDict):
    case_no: str
    tenant: str
    dept: str


def _envelope(instance: Instance, dept: str | None = None) -> _Envelope:
    """The case's number, tenant and department (a step's: its task's department)."""
    return {
        "case_no": instance.case_no,
        "tenant": instance.tenant,
        "dept": instance.dept if dept is None else dept,
    }


def case_step_completed(
    instance: Instance,
    task: Task,
    *,
    actor_name: str,
    opinion: str,
    decision: str | None,
    completed_at: datetime,
    step_deadline: datetime,
    on_time: bool,
    seq: int,
    facts: Facts,
) -> events_pb2.CaseStepCompleted:
    """A step done (办理), in the department of the task; the handler's name masked."""
    return events_pb2.CaseStepCompleted(
        **_envelope(instance, task.dept),
        item_id=instance.item_id,
        step=task.step,
        title=task.title,
        actor=authz.mask_name(actor_name),
        opinion=opinion,
        decision=convert.decision(decision),
        started_at=convert.timestamp(task.started_at),
        completed_at=convert.timestamp(completed_at),
        step_deadline=convert.timestamp(step_deadline),
        on_time=on_time,
        item_code=task.item_code,
        seq=seq,
        deadline=facts,
    )


def case_approved(instance: Instance, at: datetime, facts: Facts, *, deemed: bool) -> events_pb2.CaseApproved:
    """准予许可 (deemed: by 超时默认)."""
    return events_pb2.CaseApproved(
        **_envelope(instance),
        item_id=instance.item_id,
        approved_at=convert.timestamp(at),
        deemed=deemed,
        deadline=facts,
    )


def case_denied(instance: Instance, reason: str, at: datetime, facts: Facts) -> events_pb2.CaseDenied:
    """不予许可 with the reasons given."""
    return events_pb2.CaseDenied(
        **_envelope(instance),
        item_id=instance.item_id,
        reason=reason,
        denied_at=convert.timestamp(at),
        deadline=facts,
    )


def case_completed(
    instance: Instance, outcome: str, at: datetime, on_time: bool, facts: Facts
) -> events_pb2.CaseCompleted:
    """办结 with its outcome ("approve" or "deny")."""
    return events_pb2.CaseCompleted(
        **_envelope(instance),
        item_id=instance.item_id,
        outcome=convert.decision(outcome),
        completed_at=convert.timestamp(at),
        on_time=on_time,
        deadline=facts,
    )


def case_suspended(instance: Instance, stop: ClockStopRow, facts: Facts) -> events_pb2.CaseSuspended:
    """特别程序开始: the clock stopped."""
    return events_pb2.CaseSuspended(**_envelope(instance), stop=convert.clock_stop(stop), deadline=facts)


def case_resumed(instance: Instance, stop: ClockStopRow, facts: Facts) -> events_pb2.CaseResumed:
    """特别程序结束: the clock runs again, with the procedure's result."""
    return events_pb2.CaseResumed(
        **_envelope(instance), stop=convert.clock_stop(stop), result=stop.result, deadline=facts
    )


def case_deadline_extended(instance: Instance, reason: str, facts: Facts) -> events_pb2.CaseDeadlineExtended:
    """延长期限 with its reason."""
    return events_pb2.CaseDeadlineExtended(**_envelope(instance), reason=reason, deadline=facts)


@dataclass(frozen=True)
class BundleItem:
    """One department item of a 一件事 bundle."""

    item_id: str
    dept: str
    code: str
    name: str = ""


@dataclass(frozen=True)
class AcceptedCase:
    """What approval needs from intake's CaseAccepted."""

    case_no: str
    tenant: str
    dept: str
    item_id: str
    item_version: int
    process: str
    accepted_at: datetime
    promised_days: int | None  # working days; None when the event gives none usable
    promised_date: date | None
    applicant: str = ""
    timeout_default: bool = False
    items: tuple[BundleItem, ...] = field(default_factory=tuple)


def _promised_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def accepted_case_of(message: intake_events.CaseAccepted, event: Event) -> AcceptedCase:
    """The accepted case a parsed CaseAccepted carries; MalformedEvent when it lacks what approval needs."""
    case_no = message.case_no.strip() or event.key
    accepted_at = from_timestamp(message.accepted_at) if message.HasField("accepted_at") else None
    missing = [
        name
        for name, value in (
            ("caseNo", case_no),
            ("dept", message.dept.strip()),
            ("process", message.process.strip()),
            ("acceptedAt", accepted_at),
        )
        if not value
    ]
    if missing or accepted_at is None:
        raise MalformedEvent(f"CaseAccepted {case_no or '?'} lacks {', '.join(missing)}")
    limit = message.promised_limit
    promised_days = (limit.value or None) if limit.unit in WORKDAY_UNITS else None
    return AcceptedCase(
        case_no=case_no,
        tenant=message.tenant.strip() or event.tenant,
        dept=message.dept.strip(),
        item_id=message.item_id.strip(),
        item_version=message.item_version,
        process=message.process.strip(),
        accepted_at=accepted_at,
        promised_days=promised_days,
        promised_date=_promised_date(message.promised_completion_date.strip()),
        applicant=message.applicant_id.strip(),
        timeout_default=message.timeout_default,
        items=tuple(
            BundleItem(item_id=i.item_id, dept=i.dept, code=i.code or i.item_id, name=i.name)
            for i in message.items
        ),
    )
