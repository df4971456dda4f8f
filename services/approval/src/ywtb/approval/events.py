"""What the approval service publishes and consumes: topics, event staging, the CaseAccepted adapter.

`accepted_case_of` is the only place that knows the shape of intake's CaseAccepted event: it parses
the event proto (ywtb.api.intake.v1.CaseAccepted) and checks what approval cannot start without.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import events_pb2 as intake_events
from ywtb.approval.models import metadata
from ywtb.common.events.envelope import Event, MalformedEvent
from ywtb.common.events.typed import EventTypes
from ywtb.common.timestamps import from_timestamp

CASE_TOPIC = "ywtb.approval.case.v1"
INTAKE_CASE_TOPIC = "ywtb.intake.case.v1"
CONSUMER_GROUP = "ywtb-approval"
INTAKE_EVENTS = EventTypes(intake_events.CaseAccepted)  # the other intake case events start nothing
WORKDAY_UNITS = (catalog_pb2.TIME_UNIT_WORKDAY, catalog_pb2.TIME_UNIT_UNSPECIFIED)

publish = metadata.publisher(CASE_TOPIC)  # key = case number


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
