"""一件事: a bundle of two departments through intake, then its CaseAccepted through approval's consumer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.approval.consumer import case_accepted_consumer
from ywtb.approval.engine import WorkflowEngine
from ywtb.approval.service import ApprovalService
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, NotFound, PermissionDenied
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.outbox import event_of_row
from ywtb.intake import convert
from ywtb.intake.models import outbox
from ywtb.intake.service import ApplicantIn, IntakeService, Submission
from ywtb.intake.testing import (
    BUNDLE_CODE,
    CITIZEN,
    CLERK,
    CULTURE,
    CULTURE_CLERK,
    MARKET,
    OTHER_TENANT_CLERK,
    SHOP_ITEM,
    SHOW_ITEM,
)

ID_NUMBER = "11010519491231002X"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
FORM = {"shop_name": "张三演艺餐厅", "area": 120, "show_type": "音乐"}
SHOP_CODE = "11510104MB3234567ence"  # guide_version's implementation code of SHOP_ITEM
SHOW_CODE = "11510104MB42345670002"
TOURISM_CLERK = Principal(
    subject="s-tour",
    tenant="510104",
    roles=frozenset({"window_clerk"}),
    dept=make_credit_code("11510104MB5234567"),
)


def _upload(service: IntakeService, *names: str, by: Principal = CITIZEN) -> dict[str, list[str]]:
    return {n: [service.upload_material(by, f"{n}.pdf", PDF + n.encode()).id] for n in names}


def _bundle_submission(  # type: ignore[no-untyped-def]
    service: IntakeService, *names: str, form: dict | None = None, key: str = "b-1", by: Principal = CITIZEN
):
    return Submission(
        item_id="",
        item_version=0,
        channel=pb.CHANNEL_ONLINE if by is CITIZEN else pb.CHANNEL_WINDOW,
        applicant=ApplicantIn(name="张三", id_number=ID_NUMBER, contact_mobile="13800000001"),
        form_data=FORM if form is None else form,
        materials=_upload(service, *names, by=by),
        idempotency_key=key,
        bundle_code=BUNDLE_CODE,
    )


def _accepted_rows(service: IntakeService):  # type: ignore[no-untyped-def]
    with service.db.transaction() as s:
        return list(s.execute(select(outbox).where(outbox.c.ce_type == "ywtb.intake.v1.CaseAccepted")))


def test_bundle_of_two_departments_submitted_corrected_accepted_and_approved_in_parallel(
    service: IntakeService, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # The form is validated against the union of both items' schemas (show_type is the culture item's).
    with pytest.raises(InvalidArgument) as bad_form:
        service.submit(CITIZEN, _bundle_submission(service, "申请书", form={"shop_name": "店", "area": 10}))
    assert set(bad_form.value.fields) == {"form_data.show_type"}
    with pytest.raises(NotFound):
        service.submit(CITIZEN, Submission(**{**_bundle_submission(service).__dict__, "bundle_code": "NOPE"}))

    # 一次性告知 across the merged material list of both departments.
    case, replayed = service.submit(CITIZEN, _bundle_submission(service, "申请书"))
    assert not replayed and case.status == pb.CASE_STATUS_CORRECTION_REQUESTED
    assert [d["subject"] for d in case.deficiencies] == ["经营场所证明", "消防安全承诺书", "演出节目单"]
    assert (case.dept, case.item_id, case.item["process"]) == (MARKET, SHOP_ITEM, "joint-default")
    assert case.bundle_code == BUNDLE_CODE
    assert [(i["item_id"], i["version"], i["dept"], i["code"]) for i in case.bundle_items] == [
        (SHOP_ITEM, 1, MARKET, SHOP_CODE),
        (SHOW_ITEM, 1, CULTURE, SHOW_CODE),
    ]
    message = convert.case(case)
    assert message.bundle_code == BUNDLE_CODE and [i.dept for i in message.bundle_items] == [MARKET, CULTURE]
    # A clerk of the second department sees the case too.
    assert service.get_case(CULTURE_CLERK, case.case_no).case_no == case.case_no

    service.supplement(
        CITIZEN, case.case_no, _upload(service, "经营场所证明", "消防安全承诺书", "演出节目单"), None
    )
    # Accepted by a window clerk of the bundle's tenant in one of its departments; nobody else.
    for outsider in (TOURISM_CLERK, OTHER_TENANT_CLERK):
        with pytest.raises(PermissionDenied):
            service.accept(outsider, case.case_no)
    accepted = service.accept(CULTURE_CLERK, case.case_no, opinion="联办材料齐全，予以受理")
    # The longer promised limit (8 working days of the culture item) from Tue 29 Sep 2026, over 国庆.
    assert accepted.promised_date.isoformat() == "2026-10-15"

    (row,) = _accepted_rows(service)
    data = json.loads(bytes(row.payload))
    assert data["process"] == "joint-default" and data["dept"] == MARKET and data["bundleCode"] == BUNDLE_CODE
    assert data["applicantId"] == CITIZEN.subject and data["acceptedBy"] == CULTURE_CLERK.subject
    assert data["promisedLimit"] == {"value": 8, "unit": "TIME_UNIT_WORKDAY"}
    assert data["items"] == [
        {
            "itemId": SHOP_ITEM,
            "itemVersion": 1,
            "dept": MARKET,
            "code": SHOP_CODE,
            "name": "食品经营许可（样例）",
        },
        {
            "itemId": SHOW_ITEM,
            "itemVersion": 1,
            "dept": CULTURE,
            "code": SHOW_CODE,
            "name": "营业性演出许可（样例）",
        },
    ]

    # The same event through approval's CaseAccepted consumer (its own database, the embedded bus).
    approval_url = f"sqlite:///{tmp_path / 'approval.db'}"
    upgrade(script_location_of("ywtb.approval"), approval_url)
    approval_db = Database(approval_url)
    approval = ApprovalService(
        approval_db, WorkflowEngine(), clock=lambda: datetime(2026, 9, 29, 3, 0, tzinfo=UTC)
    )
    bus = EmbeddedBus(str(tmp_path / "events.db"), lease_seconds=3.0)
    try:
        consumer = case_accepted_consumer(bus, approval_db, approval)
        event = event_of_row(row)
        bus.publish(event.topic, event.key, event.data, event.headers())
        assert consumer.run_once(5.0)

        def staff(subject: str, role: str, dept: str) -> Principal:
            return Principal(
                subject=subject, tenant="510104", roles=frozenset({role}), dept=dept, name=subject
            )

        clerk = staff(CLERK.subject, "window_clerk", MARKET)
        market, culture = staff("appr-m", "approver", MARKET), staff("appr-c", "approver", CULTURE)

        def do(step: str, who: Principal, code: str = "", decision: str | None = None) -> None:
            tasks = [v.task for v in approval.list_tasks(who, case.case_no) if v.task.step == step]
            assert [t.item_code for t in tasks] == [code], (step, who.subject)
            approval.claim_task(who, case.case_no, tasks[0].task_id)
            approval.complete_task(who, case.case_no, tasks[0].task_id, "同意", decision)

        do("accept", clerk)
        # Two parallel branches: each department reviews and decides its own item.
        assert [(v.task.step, v.task.item_code) for v in approval.list_tasks(market)] == [
            ("review", SHOP_CODE)
        ]
        assert [(v.task.step, v.task.item_code) for v in approval.list_tasks(culture)] == [
            ("review", SHOW_CODE)
        ]
        do("review", market, SHOP_CODE)
        do("decide", market, SHOP_CODE, "approve")
        assert approval.get_case(clerk, case.case_no).instance.status == "running"
        assert approval.list_tasks(clerk, case.case_no) == []  # completion waits for the other department
        do("review", culture, SHOW_CODE)
        do("decide", culture, SHOW_CODE, "approve")
        do("complete", clerk)
        view = approval.get_case(culture, case.case_no)
        assert (view.instance.status, view.instance.outcome) == ("completed", "approved")
    finally:
        bus.close()
        approval_db.dispose()


def test_bundle_window_submission_and_mixing_with_an_item(service: IntakeService) -> None:
    with pytest.raises(PermissionDenied):
        service.submit(TOURISM_CLERK, _bundle_submission(service, key="", by=TOURISM_CLERK))
    all_materials = ("申请书", "经营场所证明", "消防安全承诺书", "演出节目单")
    window = _bundle_submission(service, *all_materials, key="", by=CULTURE_CLERK)
    with pytest.raises(InvalidArgument):
        service.submit(CITIZEN, Submission(**{**_bundle_submission(service).__dict__, "item_id": SHOP_ITEM}))
    case, _ = service.submit(CULTURE_CLERK, window)  # a clerk of the second department at the window
    assert case.bundle_code == BUNDLE_CODE and case.owner == "" and case.dept == MARKET
    assert case.status == pb.CASE_STATUS_SUBMITTED
    service.accept(CLERK, case.case_no)  # the lead department's clerk may accept as well
    data = json.loads(bytes(_accepted_rows(service)[0].payload))
    # No account behind a window case: no applicantId (empty proto3 strings are not in the JSON).
    assert data["items"][1]["dept"] == CULTURE and "applicantId" not in data
