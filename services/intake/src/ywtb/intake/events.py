"""What the intake service publishes: the case topic and its event builders.

Every case event carries the same envelope (case number, tenant, department) and is keyed by the
case number, so one case's events stay ordered: the builders below fill it, `stage` publishes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import events_pb2
from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.intake import convert
from ywtb.intake.models import Case, metadata

CASE_TOPIC = "ywtb.intake.case.v1"

publish = metadata.publisher(CASE_TOPIC)


def stage(session: Session, message: Message) -> None:
    """Stage a case event in the caller's transaction, keyed by its case number, in its tenant."""
    publish(session, message, key=message.case_no, tenant=message.tenant)  # type: ignore[attr-defined]


class _Envelope(TypedDict):
    case_no: str
    tenant: str
    dept: str


def _envelope(case: Case) -> _Envelope:
    return {"case_no": case.case_no, "tenant": case.tenant, "dept": case.dept}


def case_submitted(case: Case) -> events_pb2.CaseSubmitted:
    """case.submitted (on submission and on each resubmission after 补正)."""
    return events_pb2.CaseSubmitted(
        **_envelope(case),
        item_id=case.item_id,
        item_version=case.item_version,
        implementation_code=case.item["implementation_code"],
        channel=pb.Channel.ValueType(case.channel),
        applicant_type=case.applicant_type,
        received_at=convert.timestamp(case.received_at),
        correction_round=case.correction_round,
    )


def case_correction_requested(
    case: Case, notice: list[dict[str, str]], at: datetime, *, automatic: bool
) -> events_pb2.CaseCorrectionRequested:
    """一次性告知: the one notice listing everything to correct."""
    return events_pb2.CaseCorrectionRequested(
        **_envelope(case),
        deficiencies=[pb.Deficiency(**d) for d in notice],
        correction_round=case.correction_round,
        requested_at=convert.timestamp(at),
        automatic=automatic,
    )


def case_accepted(case: Case, governing: dict[str, Any]) -> events_pb2.CaseAccepted:
    """case.accepted with the governing item's limits (what approval starts from)."""
    return events_pb2.CaseAccepted(
        **_envelope(case),
        item_id=case.item_id,
        item_version=case.item_version,
        process=case.item["process"],
        case_type=governing["case_type"],
        promised_limit=catalog_pb2.TimeLimit(**governing["promised_limit"]),
        legal_limit=catalog_pb2.TimeLimit(**governing["legal_limit"]),
        accepted_at=convert.timestamp(case.accepted_at),
        promised_completion_date=case.promised_date.isoformat() if case.promised_date else "",
        acceptance_mode=pb.AcceptanceMode.ValueType(case.acceptance_mode),
        pending_materials=case.pending_materials,
        supply_deadline=case.supply_deadline.isoformat() if case.supply_deadline else "",
        deemed_accepted=case.deemed_accepted,
        channel=pb.Channel.ValueType(case.channel),
        applicant_type=case.applicant_type,
        accepted_by=case.handled_by,
        applicant_id=case.owner,
        items=[convert.bundle_item(i) for i in case.bundle_items or []],
        bundle_code=case.bundle_code or "",
    )


def case_rejected(case: Case) -> events_pb2.CaseRejected:
    """不予受理 with its reason, when and by whom (as the case records them)."""
    return events_pb2.CaseRejected(
        **_envelope(case),
        item_id=case.item_id,
        reason=case.reject_reason,
        rejected_at=convert.timestamp(case.rejected_at),
        rejected_by=case.handled_by,
    )
