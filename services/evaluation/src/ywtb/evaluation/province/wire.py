"""The 好差评 wire: its X-Haocp-* signature and its JSON bodies (snake_case), both ways; WireError if wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from ywtb.common.signed_http.bodies import WireError, field, format_time, objects, time_field
from ywtb.common.signed_http.signing import HmacSigning, check_key
from ywtb.evaluation.province.platform import Ack, RatingReport

HAOCP = HmacSigning("X-Haocp")


def checked_key(key: str) -> str:
    """The shared key when it is long enough; ValueError otherwise."""
    return check_key(key, "the provincial 好差评 platform key")


def report_to_json(report: RatingReport) -> dict[str, Any]:
    """One report of POST /v1/reports."""
    return {
        "rating_id": report.rating_id,
        "revision": report.revision,
        "tenant": report.tenant,
        "dept": report.dept,
        "item_id": report.item_id,
        "item_name": report.item_name,
        "case_no": report.case_no,
        "visit_id": report.visit_id,
        "stage": report.stage,
        "level": report.level,
        "indicators": dict(report.indicators),
        "channel": report.channel,
        "follow_up": report.follow_up,
        "system_default": report.system_default,
        "real_name": report.real_name,
        "staff": report.staff,
        "rated_at": format_time(report.rated_at),
        "excluded": report.excluded,
        "excluded_reason": report.excluded_reason,
    }


def report_from_json(body: dict[str, Any]) -> RatingReport:
    """A RatingReport from one report of POST /v1/reports."""
    indicators = field(body, "indicators", dict)
    for name, value in indicators.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise WireError(f"indicators.{str(name)[:40]}: expected int")
    return RatingReport(
        rating_id=field(body, "rating_id", str),
        revision=field(body, "revision", int),
        tenant=field(body, "tenant", str),
        dept=field(body, "dept", str),
        item_id=field(body, "item_id", str),
        item_name=field(body, "item_name", str),
        case_no=field(body, "case_no", str),
        visit_id=field(body, "visit_id", str),
        stage=field(body, "stage", str),
        level=field(body, "level", int),
        indicators={str(name): value for name, value in indicators.items()},
        channel=field(body, "channel", int),
        follow_up=field(body, "follow_up", bool),
        system_default=field(body, "system_default", bool),
        real_name=field(body, "real_name", bool),
        staff=field(body, "staff", str),
        rated_at=time_field(body, "rated_at"),
        excluded=field(body, "excluded", bool),
        excluded_reason=field(body, "excluded_reason", str),
    )


def batch_to_json(batch: list[RatingReport]) -> dict[str, Any]:
    """POST /v1/reports body."""
    return {"reports": [report_to_json(report) for report in batch]}


def batch_from_json(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The reports of POST /v1/reports, each still JSON (the receiver checks them one by one)."""
    return objects(body, "reports")


def ack_to_json(ack: Ack) -> dict[str, Any]:
    """One ack of the POST /v1/reports answer."""
    return {
        "rating_id": ack.rating_id,
        "revision": ack.revision,
        "accepted": ack.accepted,
        "code": ack.code,
        "message": ack.message,
    }


def acks_from_json(body: dict[str, Any], batch: list[RatingReport]) -> list[Ack]:
    """The acks of the POST /v1/reports answer, in the batch's order: exactly one per report."""
    acks = {}
    for item in objects(body, "acks"):
        ack = Ack(
            rating_id=field(item, "rating_id", str),
            revision=field(item, "revision", int),
            accepted=field(item, "accepted", bool),
            code=field(item, "code", str),
            message=field(item, "message", str),
        )
        if ack.key in acks:
            raise WireError(f"acks: {ack.rating_id[:40]} revision {ack.revision} twice")
        acks[ack.key] = ack
    missing = [report.key for report in batch if report.key not in acks]
    if missing or len(acks) != len(batch):
        raise WireError(f"acks: {len(acks)} for {len(batch)} reports ({len(missing)} unanswered)")
    return [acks[report.key] for report in batch]


def received_to_json(tenant: str, day: date, held: set[tuple[str, int]]) -> dict[str, Any]:
    """GET /v1/received/{tenant}/{day} answer."""
    return {
        "tenant": tenant,
        "day": day.isoformat(),
        "ratings": [{"rating_id": rating_id, "revision": revision} for rating_id, revision in sorted(held)],
    }


def received_from_json(body: dict[str, Any], tenant: str, day: date) -> set[tuple[str, int]]:
    """The (rating_id, revision) pairs of GET /v1/received/{tenant}/{day}, checked to be of that tenant and day."""
    if (field(body, "tenant", str), field(body, "day", str)) != (tenant, day.isoformat()):
        raise WireError(
            f"received of {body['tenant']!r} {body['day']!r} instead of {tenant} {day.isoformat()}"
        )
    return {
        (field(item, "rating_id", str), field(item, "revision", int)) for item in objects(body, "ratings")
    }
