"""What the approval service publishes and consumes: topics, event staging, the CaseAccepted adapter.

`accepted_case_of` is the only place that knows the shape of intake's CaseAccepted event.
It reads the event's canonical proto JSON (camelCase) rather than parsing it into the
generated message, so fields intake has not (yet) put in its proto — the bundle's `items`,
the applicant and the 超时默认 flag — are read when present and defaulted when not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.approval.models import outbox
from ywtb.common.events.envelope import Event, MalformedEvent
from ywtb.common.outbox import add_event

SOURCE = "/ywtb/approval"
CASE_TOPIC = "ywtb.approval.case.v1"
INTAKE_CASE_TOPIC = "ywtb.intake.case.v1"
CASE_ACCEPTED_TYPE = "ywtb.intake.v1.CaseAccepted"
CONSUMER_GROUP = "ywtb-approval"
WORKDAY_UNITS = ("TIME_UNIT_WORKDAY", "TIME_UNIT_UNSPECIFIED", 1, 0)


def publish(session: Session, message: Message, *, key: str, tenant: str) -> None:
    """Stage an approval event (topic ywtb.approval.case.v1, key = case number) in the current transaction."""
    add_event(session, outbox, message, topic=CASE_TOPIC, key=key, source=SOURCE, tenant=tenant)


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


def _first(data: dict[str, Any], *names: str) -> Any:
    """The first present, non-empty value among camelCase / snake_case spellings."""
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


def _text(data: dict[str, Any], *names: str) -> str:
    value = _first(data, *names)
    return str(value).strip() if value is not None else ""


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def accepted_case_of(event: Event) -> AcceptedCase:
    """The accepted case carried by a CaseAccepted event; MalformedEvent when it lacks what approval needs.

    Reads (canonical proto JSON, camelCase; snake_case tolerated): caseNo, tenant, dept,
    itemId, itemVersion, process, acceptedAt, promisedLimit{value, unit} (or promisedDays),
    promisedCompletionDate (or promisedCompletion / promisedDate), applicantId (or owner /
    applicant.id), timeoutDefault, items[{itemId, dept, code, name}].
    """
    try:
        data = event.json()
    except ValueError as exc:
        raise MalformedEvent(f"CaseAccepted is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("CaseAccepted data is not an object")
    case_no = _text(data, "caseNo", "case_no") or event.key
    missing = [
        name
        for name, value in (
            ("caseNo", case_no),
            ("dept", _text(data, "dept")),
            ("process", _text(data, "process")),
            ("acceptedAt", _text(data, "acceptedAt", "accepted_at")),
        )
        if not value
    ]
    if missing:
        raise MalformedEvent(f"CaseAccepted {case_no or '?'} lacks {', '.join(missing)}")
    try:
        accepted_at = _parse_time(_text(data, "acceptedAt", "accepted_at"))
    except ValueError as exc:
        raise MalformedEvent(f"CaseAccepted {case_no}: bad acceptedAt") from exc

    promised_days: int | None = None
    limit = _first(data, "promisedLimit", "promised_limit")
    if isinstance(limit, dict) and limit.get("unit", "TIME_UNIT_UNSPECIFIED") in WORKDAY_UNITS:
        promised_days = int(limit.get("value") or 0) or None
    elif _first(data, "promisedDays", "promised_days") is not None:
        promised_days = int(_first(data, "promisedDays", "promised_days"))
    raw_date = _text(data, "promisedCompletionDate", "promisedCompletion", "promisedDate")
    try:
        promised_date = date.fromisoformat(raw_date[:10]) if raw_date else None
    except ValueError:
        promised_date = None

    applicant = _text(data, "applicantId", "applicant_id", "owner")
    if not applicant and isinstance(data.get("applicant"), dict):
        applicant = _text(data["applicant"], "id", "subject")
    items = tuple(
        BundleItem(
            item_id=_text(raw, "itemId", "item_id"),
            dept=_text(raw, "dept"),
            code=_text(raw, "code", "itemCode", "implementationCode") or _text(raw, "itemId", "item_id"),
            name=_text(raw, "name", "itemName"),
        )
        for raw in data.get("items") or []
        if isinstance(raw, dict)
    )
    return AcceptedCase(
        case_no=case_no,
        tenant=_text(data, "tenant") or event.tenant,
        dept=_text(data, "dept"),
        item_id=_text(data, "itemId", "item_id"),
        item_version=int(_first(data, "itemVersion", "item_version") or 0),
        process=_text(data, "process"),
        accepted_at=accepted_at,
        promised_days=promised_days,
        promised_date=promised_date,
        applicant=applicant,
        timeout_default=bool(_first(data, "timeoutDefault", "timeout_default")),
        items=items,
    )
