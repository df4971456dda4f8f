"""Intake use cases on SQLite with a fake CatalogService on a real gRPC server."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import SYSTEM
from ywtb.common.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.intake import convert
from ywtb.intake.models import Case, outbox
from ywtb.intake.service import ApplicantIn, IntakeService, Submission
from ywtb.intake.storage import FilesystemStorage
from ywtb.intake.testing import (
    AGENT,
    CITIZEN,
    CITY_SUPERVISOR,
    CLERK,
    INSTANT_ITEM,
    OTHER_CITIZEN,
    OTHER_CITY_SUPERVISOR,
    OTHER_DEPT_CLERK,
    OTHER_TENANT_CLERK,
    SHOP_ITEM,
)

ID_NUMBER = "11010519491231002X"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {"shop_name": "张三小吃店", "area": 45.5}
ALL = ("申请书", "经营场所证明", "消防安全承诺书")


def _upload(service: IntakeService, principal, *names: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {
        name: [service.upload_material(principal, f"{name}.pdf", PDF + name.encode()).id] for name in names
    }


def _submit(  # type: ignore[no-untyped-def]
    service: IntakeService,
    principal=CITIZEN,
    materials: tuple[str, ...] = ALL,
    *,
    key: str = "k-1",
    item: str = SHOP_ITEM,
    form: dict | None = None,
    channel: int = pb.CHANNEL_ONLINE,
    applicant: ApplicantIn | None = None,
):
    submission = Submission(
        item_id=item,
        item_version=0,
        channel=channel,
        applicant=applicant
        or ApplicantIn(
            id_number=ID_NUMBER if channel == pb.CHANNEL_WINDOW else "", contact_mobile="13800000001"
        ),
        form_data=FORM if form is None else form,
        materials=_upload(service, principal, *materials),
        idempotency_key=key,
    )
    return service.submit(principal, submission)


def _events(service: IntakeService) -> list[tuple[str, dict]]:
    import json

    with service.db.transaction() as s:
        rows = s.execute(select(outbox.c.ce_type, outbox.c.key, outbox.c.payload).order_by(outbox.c.seq))
        return [(row.ce_type.rsplit(".", 1)[-1], {"key": row.key, **json.loads(row.payload)}) for row in rows]


def test_deficiency_notice_supplement_and_accept_across_national_day(service: IntakeService) -> None:
    case, replayed = _submit(service, materials=("申请书",))
    assert not replayed and case.case_no == "51010420260929000001"
    assert case.status == pb.CASE_STATUS_CORRECTION_REQUESTED and case.correction_round == 1
    # 一次性告知: both missing materials in one notice; the government-issued 身份证明 is not asked for.
    assert [d["subject"] for d in case.deficiencies] == ["经营场所证明", "消防安全承诺书"]
    with pytest.raises(FailedPrecondition) as incomplete:
        service.supplement(CITIZEN, case.case_no, _upload(service, CITIZEN, "消防安全承诺书"), None)
    assert "经营场所证明" in incomplete.value.message
    with pytest.raises(FailedPrecondition):  # nothing to accept while the notice is open
        service.accept(CLERK, case.case_no)

    supplemented = service.supplement(
        CITIZEN, case.case_no, _upload(service, CITIZEN, "经营场所证明", "消防安全承诺书"), None
    )
    assert supplemented.status == pb.CASE_STATUS_SUBMITTED and supplemented.deficiencies == []
    accepted = service.accept(CLERK, case.case_no, opinion="材料齐全，予以受理")
    # Accepted Tue 29 Sep 2026; 5 working days: 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct (调休上班), Mon 12 Oct.
    assert accepted.status == pb.CASE_STATUS_ACCEPTED
    assert accepted.promised_date.isoformat() == "2026-10-12"

    events = _events(service)
    assert [name for name, _ in events] == [
        "CaseSubmitted",
        "CaseCorrectionRequested",
        "CaseSubmitted",
        "CaseAccepted",
    ]
    assert {e["key"] for _, e in events} == {case.case_no}
    notice, resubmitted, accepted_event = events[1][1], events[2][1], events[3][1]
    assert notice["automatic"] is True and len(notice["deficiencies"]) == 2
    assert resubmitted["correctionRound"] == 1
    assert accepted_event["promisedCompletionDate"] == "2026-10-12"
    assert accepted_event["process"] == "licence_standard" and accepted_event["itemVersion"] == 1
    assert accepted_event["promisedLimit"] == {"value": 5, "unit": "TIME_UNIT_WORKDAY"}
    assert accepted_event["applicantId"] == CITIZEN.subject
    assert "items" not in accepted_event and "bundleCode" not in accepted_event  # a single item
    assert (
        accepted_event.get("deemedAccepted", False) is False and accepted_event["acceptedBy"] == CLERK.subject
    )


def test_clerk_notice_lists_every_deficiency_at_once(service: IntakeService) -> None:
    case, _ = _submit(service, materials=("申请书", "经营场所证明"))
    assert case.status == pb.CASE_STATUS_SUBMITTED  # only a 容缺 material is missing: no automatic notice
    with pytest.raises(InvalidArgument):
        service.request_correction(CLERK, case.case_no, [("申请书", "")])
    noticed = service.request_correction(CLERK, case.case_no, [("申请书", "请申请人本人签字。")])
    assert noticed.deficiencies == [
        {"subject": "申请书", "requirement": "请申请人本人签字。"},
        {"subject": "消防安全承诺书", "requirement": "请提交消防安全承诺书。"},
    ]
    assert _events(service)[-1][1].get("automatic", False) is False


def test_tolerant_acceptance_needs_a_promise_and_a_deadline_before_the_promised_date(
    service: IntakeService,
) -> None:
    case, _ = _submit(service, materials=("申请书", "经营场所证明"))
    with pytest.raises(FailedPrecondition) as normal:
        service.accept(CLERK, case.case_no)
    assert normal.value.code == "MATERIALS_MISSING" and "消防安全承诺书" in normal.value.message
    tolerant = pb.ACCEPTANCE_MODE_TOLERANT
    with pytest.raises(InvalidArgument) as unsigned:
        service.accept(CLERK, case.case_no, tolerant, supply_workdays=3)
    assert "promise_signed" in unsigned.value.fields
    with pytest.raises(InvalidArgument) as too_late:
        service.accept(CLERK, case.case_no, tolerant, supply_workdays=6, promise_signed=True)
    assert "2026-10-12" in too_late.value.fields["supply_workdays"]

    accepted = service.accept(CLERK, case.case_no, tolerant, supply_workdays=3, promise_signed=True)
    assert accepted.supply_deadline.isoformat() == "2026-10-09"  # 30 Sep, 8 Oct, 9 Oct
    assert accepted.pending_materials == ["消防安全承诺书"] and accepted.promise_signed
    event = _events(service)[-1][1]
    assert event["acceptanceMode"] == "ACCEPTANCE_MODE_TOLERANT" and event["supplyDeadline"] == "2026-10-09"
    assert event["pendingMaterials"] == ["消防安全承诺书"]


def test_missing_main_material_gets_a_notice_and_commitment_is_recorded(service: IntakeService) -> None:
    case, _ = _submit(service, materials=("申请书", "经营场所证明"))
    service.request_correction(CLERK, case.case_no, [("申请书", "请签字。")])
    case2, _ = _submit(service, materials=("申请书",), key="k-2")
    assert case2.status == pb.CASE_STATUS_CORRECTION_REQUESTED
    # 告知承诺 is recorded with the applicant's signed promise.
    case3, _ = _submit(service, materials=("申请书", "经营场所证明"), key="k-3")
    with pytest.raises(InvalidArgument):
        service.accept(CLERK, case3.case_no, pb.ACCEPTANCE_MODE_COMMITMENT)
    committed = service.accept(CLERK, case3.case_no, pb.ACCEPTANCE_MODE_COMMITMENT, promise_signed=True)
    assert committed.acceptance_mode == pb.ACCEPTANCE_MODE_COMMITMENT and committed.promise_signed


def test_reject_requires_a_reason_and_closes_the_case(service: IntakeService) -> None:
    case, _ = _submit(service)
    with pytest.raises(InvalidArgument) as missing:
        service.reject(CLERK, case.case_no, "  ")
    assert "reason" in missing.value.fields and "理由" in missing.value.fields["reason"]
    rejected = service.reject(CLERK, case.case_no, "申请事项不属于本部门职权范围，请向区文旅局申请。")
    assert rejected.status == pb.CASE_STATUS_REJECTED and rejected.reject_reason.startswith("申请事项")
    with pytest.raises(FailedPrecondition):
        service.accept(CLERK, case.case_no)
    assert [name for name, _ in _events(service)] == ["CaseSubmitted", "CaseRejected"]
    assert _events(service)[-1][1]["reason"].startswith("申请事项")


def test_retry_with_the_same_key_returns_the_same_case(service: IntakeService) -> None:
    submission = Submission(
        item_id=SHOP_ITEM,
        item_version=1,
        channel=pb.CHANNEL_ONLINE,
        applicant=ApplicantIn(id_number=ID_NUMBER),
        form_data=FORM,
        materials=_upload(service, CITIZEN, *ALL),
        idempotency_key="retry-1",
    )
    first, replayed_first = service.submit(CITIZEN, submission)
    again, replayed_again = service.submit(CITIZEN, submission)
    assert (replayed_first, replayed_again) == (False, True) and again.case_no == first.case_no
    with service.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
    assert [name for name, _ in _events(service)] == ["CaseSubmitted"]
    changed = Submission(**{**submission.__dict__, "form_data": {**FORM, "area": 60}})
    with pytest.raises(Conflict):
        service.submit(CITIZEN, changed)
    with pytest.raises(InvalidArgument) as no_key:
        service.submit(CITIZEN, Submission(**{**submission.__dict__, "idempotency_key": ""}))
    assert "idempotency_key" in no_key.value.fields
    # The key is per applicant: another citizen's "retry-1" is a different case.
    other, replayed = _submit(service, OTHER_CITIZEN, key="retry-1")
    assert not replayed and other.case_no != first.case_no


def test_reads_are_limited_to_the_applicant_the_department_and_supervisors(service: IntakeService) -> None:
    case, _ = _submit(service)
    assert service.get_case(CITIZEN, case.case_no).case_no == case.case_no
    assert service.get_case(CLERK, case.case_no).case_no == case.case_no
    assert service.get_case(CITY_SUPERVISOR, case.case_no).case_no == case.case_no
    for outsider in (OTHER_CITIZEN, OTHER_DEPT_CLERK, OTHER_TENANT_CLERK, OTHER_CITY_SUPERVISOR):
        with pytest.raises(PermissionDenied):
            service.get_case(outsider, case.case_no)
    for stranger in (OTHER_DEPT_CLERK, OTHER_TENANT_CLERK, CITIZEN):
        with pytest.raises(PermissionDenied):
            service.accept(stranger, case.case_no)
    assert [c.case_no for c in service.list_my_cases(CITIZEN)] == [case.case_no]
    assert service.list_my_cases(OTHER_CITIZEN) == []
    assert [c.case_no for c in service.list_cases(CLERK, "510104")] == [case.case_no]
    assert service.list_cases(OTHER_DEPT_CLERK, "510104") == []
    with pytest.raises(PermissionDenied):
        service.list_cases(OTHER_DEPT_CLERK, "510104", CLERK.dept)
    with pytest.raises(PermissionDenied):
        service.list_cases(OTHER_TENANT_CLERK, "510104")
    assert len(service.list_cases(CITY_SUPERVISOR, "510104")) == 1
    with pytest.raises(PermissionDenied):
        service.list_cases(OTHER_CITY_SUPERVISOR, "510104")


def test_form_errors_are_chinese_messages_per_field(service: IntakeService) -> None:
    with pytest.raises(InvalidArgument) as bad:
        _submit(service, form={"area": "很大", "mobile": "12345"})
    assert bad.value.code == "FORM_INVALID"
    assert bad.value.fields == {
        "form_data.area": "经营面积格式不正确，请重新填写。",
        "form_data.mobile": "联系电话格式不正确，请按填写说明修改。",
        "form_data.shop_name": "请填写店铺名称。",
    }
    with service.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_uploads_are_sniffed_limited_and_hashed(sqlite_url, service_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    service = service_factory(sqlite_url, max_upload_bytes=2048)
    png = service.upload_material(CITIZEN, "照片.jpg", PNG)  # the content decides, not the name
    assert png.content_type == "image/png" and png.size == len(PNG)
    assert png.sha256 == hashlib.sha256(PNG).hexdigest()
    with pytest.raises(InvalidArgument) as text:
        service.upload_material(CITIZEN, "申请书.pdf", b"just some text pretending to be a PDF")
    assert text.value.code == "FILE_TYPE_NOT_ALLOWED" and "PDF" in text.value.fields["file"]
    with pytest.raises(InvalidArgument) as large:
        service.upload_material(CITIZEN, "big.pdf", PDF + b"0" * 2048)
    assert large.value.code == "FILE_TOO_LARGE"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD/>")
    assert service.upload_material(CITIZEN, "证照.ofd", buffer.getvalue()).content_type == "application/ofd"
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as package:
        package.writestr("readme.txt", "x")
    with pytest.raises(InvalidArgument):
        service.upload_material(CITIZEN, "x.ofd", plain.getvalue())
    row, content = service.read_material(CITIZEN, png.id)
    assert content == PNG
    with pytest.raises(PermissionDenied):
        service.read_material(OTHER_CITIZEN, png.id)

    files = service_factory(
        f"sqlite:///{tmp_path / 'fs.db'}", storage=FilesystemStorage(tmp_path / "materials")
    )
    stored = files.upload_material(CITIZEN, "a.pdf", PDF)
    assert (tmp_path / "materials" / stored.id[:2] / stored.id).read_bytes() == PDF
    assert files.read_material(CITIZEN, stored.id)[1] == PDF


def test_unhandled_submission_is_deemed_accepted_after_five_working_days(
    service: IntakeService, clock
) -> None:  # type: ignore[no-untyped-def]
    case, _ = _submit(service)
    noticed, _ = _submit(service, materials=("申请书",), key="k-2")  # told in time: never deemed
    # Received Tue 29 Sep; 5 working days end Mon 12 Oct (30 Sep, 8, 9, Sat 10, 12 Oct).
    clock.now = datetime(2026, 10, 12, 15, 0, tzinfo=UTC)  # 23:00 Beijing on the last day
    assert service.deem_overdue() == []
    clock.now = datetime(2026, 10, 13, 1, 0, tzinfo=UTC)  # 09:00 Beijing the next day
    assert service.deem_overdue() == [case.case_no]
    deemed = service.get_case(CITIZEN, case.case_no)
    assert deemed.status == pb.CASE_STATUS_ACCEPTED and deemed.deemed_accepted
    assert deemed.accepted_at.replace(tzinfo=UTC) == datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # as of receipt
    assert deemed.promised_date.isoformat() == "2026-10-12"
    assert service.get_case(CITIZEN, noticed.case_no).status == pb.CASE_STATUS_CORRECTION_REQUESTED
    event = _events(service)[-1][1]
    assert event["deemedAccepted"] is True and event.get("acceptedBy", "") == ""
    assert service.deem_overdue() == []


def test_window_and_agent_submissions(service: IntakeService) -> None:
    applicant = ApplicantIn(name="赵六", id_number=ID_NUMBER)
    window, _ = _submit(service, CLERK, key="", channel=pb.CHANNEL_WINDOW, applicant=applicant)
    assert window.owner == "" and window.submitted_by == CLERK.subject and window.applicant_name == "赵六"
    assert window.applicant_id_masked == "110105********002X"
    assert service.applicant_id_number(window) == ID_NUMBER
    with pytest.raises(PermissionDenied):
        _submit(service, OTHER_DEPT_CLERK, key="", channel=pb.CHANNEL_WINDOW, applicant=applicant)
    with pytest.raises(PermissionDenied):
        _submit(service, CITIZEN, channel=pb.CHANNEL_WINDOW, applicant=applicant)

    from ywtb.common.codes import make_credit_code

    company = make_credit_code("91510104MA6234567")
    agent_case, _ = _submit(
        service, AGENT, key="a-1", applicant=ApplicantIn(name="成都某某餐饮有限公司", credit_code=company)
    )
    assert agent_case.credit_code == company and agent_case.applicant_type == 2
    assert agent_case.contact_name == AGENT.name and agent_case.owner == AGENT.subject
    with pytest.raises(InvalidArgument) as bad_code:
        _submit(
            service, AGENT, key="a-2", applicant=ApplicantIn(name="某公司", credit_code="91510104MA62345678")
        )
    assert "applicant.credit_code" in bad_code.value.fields


def test_instant_items_are_promised_the_same_day(service: IntakeService) -> None:
    case, _ = _submit(service, item=INSTANT_ITEM)
    assert service.accept(CLERK, case.case_no).promised_date.isoformat() == "2026-09-29"


def test_the_case_holder_in_clear_is_for_services_only(service: IntakeService) -> None:
    applicant = ApplicantIn(name="赵六", id_number=ID_NUMBER)
    window, _ = _submit(service, CLERK, key="", channel=pb.CHANNEL_WINDOW, applicant=applicant)
    case, holder_code = service.case_holder(SYSTEM, window.case_no)
    assert (case.applicant_name, case.applicant_id_type, holder_code) == ("赵六", "111", ID_NUMBER)
    reply = convert.case_holder(case, holder_code, ["shop_name", "area", "absent"])
    assert (reply.holder_code, dict(reply.values)) == (ID_NUMBER, {"shop_name": "张三小吃店", "area": "45.5"})
    for someone in (CLERK, CITIZEN):
        with pytest.raises(PermissionDenied):
            service.case_holder(someone, window.case_no)
    with pytest.raises(NotFound):
        service.case_holder(SYSTEM, "no-such-case")
