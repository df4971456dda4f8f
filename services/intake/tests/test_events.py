"""The case-event builders: one envelope (case number, tenant, department), keyed by the case number."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.intake import events
from ywtb.intake.models import Case

NOW = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)
LIMIT = {"value": 5, "unit": catalog_pb2.TIME_UNIT_WORKDAY}
CASE = Case(
    case_no="510104-20260929-000001", tenant="510104", dept="D-1", item_id="ITEM-1", item_version=2,
    item={"implementation_code": "IMPL-1", "process": "promised-default"}, channel=1, applicant_type=1,
    correction_round=1, received_at=NOW, accepted_at=NOW, promised_date=date(2026, 10, 12),
    acceptance_mode=1, pending_materials=[], supply_deadline=None, deemed_accepted=True, handled_by="",
    owner="citizen-1", bundle_items=[], bundle_code="", rejected_at=NOW, reject_reason="不属于本部门职权",
)  # fmt: skip
GOVERNING = {"case_type": catalog_pb2.CASE_TYPE_PROMISED, "promised_limit": LIMIT, "legal_limit": LIMIT}


def every_builder() -> list:  # type: ignore[type-arg]
    return [
        events.case_submitted(CASE),
        events.case_correction_requested(
            CASE, [{"subject": "身份证", "requirement": "请上传清晰的扫描件"}], NOW, automatic=True
        ),
        events.case_accepted(CASE, GOVERNING),
        events.case_rejected(CASE),
    ]


def test_every_case_event_carries_the_case_envelope() -> None:
    for message in every_builder():
        assert (message.case_no, message.tenant, message.dept) == ("510104-20260929-000001", "510104", "D-1")
    submitted, correction, accepted, rejected = every_builder()
    assert submitted.implementation_code == "IMPL-1" and submitted.item_id == "ITEM-1"
    assert correction.automatic and correction.deficiencies[0].subject == "身份证"
    assert accepted.process == "promised-default" and accepted.promised_completion_date == "2026-10-12"
    assert accepted.deemed_accepted and accepted.applicant_id == "citizen-1"
    assert rejected.reason == "不属于本部门职权" and rejected.rejected_at.ToDatetime(tzinfo=UTC) == NOW


def test_stage_keys_each_event_by_its_case_number_in_its_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    staged: list[tuple[str, str]] = []
    monkeypatch.setattr(
        events, "publish", lambda session, message, *, key, tenant: staged.append((key, tenant))
    )
    for message in every_builder():
        events.stage(object(), message)  # type: ignore[arg-type]
    assert staged == [("510104-20260929-000001", "510104")] * 4
