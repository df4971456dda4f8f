"""Code → label lookups: every code of every list has a Chinese and an English text."""

from __future__ import annotations

import pytest

from ywtb.api.approval.v1 import approval_pb2
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.portal import labels
from ywtb.portal.i18n import MESSAGES


@pytest.mark.parametrize("kind", sorted(labels.CODES))
def test_every_code_has_both_texts(kind: str) -> None:
    for code in labels.CODES[kind]:
        zh, en = MESSAGES[f"labels.{kind}.{code}"]
        assert zh and en and zh != en
        assert labels.label("zh", kind, code) == zh and labels.label("en", kind, code) == en


@pytest.mark.parametrize(
    ("kind", "enum"),
    [
        ("case_status", intake_pb2.CaseStatus),
        ("case_status", approval_pb2.CaseStatus),
        ("acceptance_mode", intake_pb2.AcceptanceMode),
        ("channel", intake_pb2.Channel),
        ("case_type", catalog_pb2.CaseType),
        ("service_object", catalog_pb2.ServiceObject),
        ("material_kind", catalog_pb2.MaterialKind),
        ("material_source", catalog_pb2.MaterialSource),
        ("result_type", catalog_pb2.ResultType),
        ("time_unit", catalog_pb2.TimeUnit),
        ("item_status", catalog_pb2.ItemStatus),
        ("basic_item_status", catalog_pb2.BasicItemStatus),
        ("change_kind", catalog_pb2.ChangeKind),
        ("decision", approval_pb2.Decision),
        ("deadline_colour", approval_pb2.DeadlineColour),
        ("task_status", approval_pb2.TaskStatus),
    ],
)
def test_every_proto_enum_value_has_a_label(kind: str, enum) -> None:  # type: ignore[no-untyped-def]
    for name, number in enum.items():
        text = labels.label("zh", kind, name)
        if number == 0:
            assert text == ""  # UNSPECIFIED shows nothing
        else:
            assert text and text != labels.short_code(kind, name), name


def test_codes_are_accepted_in_every_form_the_pages_meet() -> None:
    assert labels.case_status("zh", "CASE_STATUS_CORRECTION_REQUESTED") == "待补正"
    assert labels.case_status("zh", "correction_requested") == "待补正"
    assert labels.case_status("en", "CASE_STATUS_COMPLETED") == "Completed"
    assert (
        labels.label("zh", "item_type", "01") == "行政许可"
        and labels.label("zh", "item_type", "20") == "公共服务"
    )
    assert labels.label("zh", "applicant_type", 2) == "企业法人" and labels.label(
        "zh", "online_depth", 7
    ).startswith("全程网办")
    assert labels.label("zh", "service_object", "SERVICE_OBJECT_LEGAL_PERSON") == "法人"
    assert labels.label("zh", "material_kind", "MATERIAL_KIND_COPY") == "复印件"
    assert labels.label("zh", "material_source", "MATERIAL_SOURCE_GOVERNMENT") == "政府部门核发"
    assert labels.label("zh", "acceptance_mode", "ACCEPTANCE_MODE_TOLERANT") == "容缺受理"
    assert labels.label("zh", "case_type", "CASE_TYPE_INSTANT") == "即办件"
    assert labels.label("zh", "channel", "CHANNEL_WINDOW") == "窗口申办"
    assert labels.label("zh", "decision", "DECISION_DENY") == "不予许可"


def test_unknown_and_empty_codes() -> None:
    assert labels.label("zh", "item_type", "99") == "99"  # unknown: the code itself, never a key
    assert labels.case_status("zh", None) == "" and labels.case_status("zh", "") == ""
    assert labels.label("zh", "case_status", "CASE_STATUS_UNSPECIFIED") == ""


def test_visits_and_time_limits() -> None:
    assert labels.visits("zh", 0) == "零跑动" and labels.visits("zh", None) == "零跑动"
    assert labels.visits("zh", 1) == "最多跑一次" and labels.visits("zh", 3) == "到现场 3 次"
    assert labels.visits("en", 2) == "2 visits"
    assert labels.time_limit("zh", {"value": 20, "unit": "TIME_UNIT_WORKDAY"}) == "20 个工作日"
    assert labels.time_limit("zh", {"value": 30, "unit": "TIME_UNIT_NATURAL_DAY"}) == "30 个自然日"
    assert labels.time_limit("zh", {"value": 5}) == "5 个工作日"
    assert labels.time_limit("zh", {"value": 0, "unit": "TIME_UNIT_WORKDAY"}) == "即办"
    assert labels.time_limit("zh", None) == ""


def test_choices_for_select_boxes() -> None:
    assert labels.choices("zh", "service_object") == [
        ("SERVICE_OBJECT_NATURAL_PERSON", "自然人"),
        ("SERVICE_OBJECT_LEGAL_PERSON", "法人"),
    ]
    assert labels.choices("en", "service_object", filter_values=True) == [
        ("natural_person", "Individuals"),
        ("legal_person", "Legal persons"),
    ]
    assert labels.choices("zh", "item_type")[0] == ("01", "行政许可")


def test_the_applicant_sees_one_status_through_intake_and_approval() -> None:
    submitted = {"status": "CASE_STATUS_SUBMITTED"}
    accepted = {"status": "CASE_STATUS_ACCEPTED"}
    assert labels.case_stage("zh", submitted) == "已申办，待受理"
    assert labels.case_stage("zh", accepted) == "已受理"
    assert labels.case_stage("zh", accepted, {"status": "CASE_STATUS_RUNNING"}) == "办理中"
    done = {"status": "CASE_STATUS_COMPLETED", "outcome": "DECISION_APPROVE"}
    assert labels.case_stage("zh", accepted, done) == "已办结（准予许可）"
    assert labels.case_stage("en", accepted, done) == "Completed (Approved)"
    assert labels.case_stage("zh", {"status": "CASE_STATUS_REJECTED"}, done) == "不予受理"
    assert labels.status_badge("CASE_STATUS_REJECTED") == "badge badge-bad"
    assert labels.status_badge("CASE_STATUS_CORRECTION_REQUESTED") == "badge badge-warn"
    assert labels.status_badge("whatever") == "badge"


def test_the_template_helper_is_bound_to_a_language() -> None:
    en = labels.Labels("en")
    assert en("case_type", "CASE_TYPE_PROMISED") == "Promised time limit"
    assert en.case_status("accepted") == "Accepted" and en.visits(0) == "No visit needed"
    assert en.time_limit({"value": 1, "unit": "TIME_UNIT_WORKDAY"}) == "1 working days"
    assert en.choices("decision") == [("DECISION_APPROVE", "Approved"), ("DECISION_DENY", "Denied")]


def test_a_denied_case_gets_a_bad_badge() -> None:
    accepted = {"status": "CASE_STATUS_ACCEPTED"}
    denied = {"status": "CASE_STATUS_COMPLETED", "outcome": "DECISION_DENY"}
    assert labels.stage_badge(accepted, denied) == "badge badge-bad"
    assert labels.stage_badge(accepted, {"status": "CASE_STATUS_RUNNING"}) == "badge badge-ok"
    assert labels.stage_badge({"status": "CASE_STATUS_CORRECTION_REQUESTED"}) == "badge badge-warn"
    assert labels.Labels("zh").stage_badge(accepted, denied) == "badge badge-bad"
