"""申请人身份: an online case is in the logged-in person's own name or an authorised company's, never another's."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ywtb.api.catalog.v1 import catalog_pb2 as cpb
from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.codes import make_credit_code
from ywtb.common.errors import PermissionDenied
from ywtb.intake.models import Case
from ywtb.intake.service import ApplicantIn, IntakeService, Submission
from ywtb.intake.testing import (
    AGENT,
    AGENT_COMPANY,
    CITIZEN,
    CLERK,
    INSTANT_ITEM,
    OTHER_CITIZEN,
    PERSONS,
    SHOP_ITEM,
    guide_version,
    show_version,
)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
FORM = {"shop_name": "张三小吃店", "area": 45.5}
ZHANG_ID = PERSONS["p-zhang"][1]
LI_ID = PERSONS["p-li"][1]


def _submit(
    service: IntakeService,
    principal,
    applicant: ApplicantIn,
    *,
    key: str = "k-1",
    item: str = SHOP_ITEM,
    channel: int = pb.CHANNEL_ONLINE,
):  # type: ignore[no-untyped-def]
    materials = {
        name: [service.upload_material(principal, f"{name}.pdf", PDF + name.encode()).id]
        for name in ("申请书", "经营场所证明", "消防安全承诺书")
    }
    submission = Submission(
        item_id=item,
        item_version=0,
        channel=channel,
        applicant=applicant,
        form_data=FORM,
        materials=materials,
        idempotency_key=key,
    )
    return service.submit(principal, submission)[0]


def _cases(service: IntakeService) -> int:
    with service.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_the_case_is_in_the_name_and_id_number_identity_holds(service: IntakeService) -> None:
    case = _submit(service, CITIZEN, ApplicantIn(contact_mobile="13800000001"))
    assert (case.applicant_name, service.applicant_id_number(case)) == ("张三", ZHANG_ID)
    assert case.identity_check == pb.IDENTITY_CHECK_ACCOUNT and case.applicant_real_name_level == 2
    assert case.owner == CITIZEN.subject == case.submitted_by
    same = _submit(service, CITIZEN, ApplicantIn(name="张三", id_number=ZHANG_ID.lower()), key="k-2")
    assert same.applicant_name == "张三"


@pytest.mark.parametrize(
    "applicant",
    [
        ApplicantIn(name="张三", id_number=ZHANG_ID),  # the first citizen's name and ID number
        ApplicantIn(id_number=ZHANG_ID),
        ApplicantIn(name="张三"),
    ],
)
def test_naming_someone_else_is_refused_and_nothing_is_kept(service: IntakeService, applicant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as refused:
        _submit(service, OTHER_CITIZEN, applicant)
    assert refused.value.code == "APPLICANT_NOT_SELF"
    assert "本人（李四）" in refused.value.message and "窗口" in refused.value.message
    assert _cases(service) == 0


def test_an_agent_applies_only_for_a_company_it_is_authorised_for_now(
    service: IntakeService, identity
) -> None:  # type: ignore[no-untyped-def]
    case = _submit(service, AGENT, ApplicantIn(credit_code=AGENT_COMPANY))
    assert (case.applicant_name, case.credit_code, case.applicant_type) == (
        "成都某某餐饮有限公司",
        AGENT_COMPANY,
        2,
    )
    assert case.identity_check == pb.IDENTITY_CHECK_AGENT_AUTHORISATION and case.contact_name == AGENT.name
    other_company = make_credit_code("91510104MA7234567")
    for who, code in ((AGENT, other_company), (CITIZEN, AGENT_COMPANY)):
        with pytest.raises(PermissionDenied) as refused:
            _submit(
                service,
                who,
                ApplicantIn(name="成都某某餐饮有限公司", credit_code=code),
                key=f"x-{who.subject}",
            )
        assert refused.value.code == "AGENT_NOT_AUTHORISED"
    with pytest.raises(PermissionDenied) as renamed:
        _submit(service, AGENT, ApplicantIn(name="另一家公司", credit_code=AGENT_COMPANY), key="renamed")
    assert "成都某某餐饮有限公司" in renamed.value.message
    identity[1].grants.clear()  # the authorisation expired or was withdrawn since the agent logged in
    with pytest.raises(PermissionDenied):
        _submit(service, AGENT, ApplicantIn(credit_code=AGENT_COMPANY), key="later")
    assert _cases(service) == 1


def test_a_window_clerk_records_the_applicant_as_checked_at_the_window(service: IntakeService) -> None:
    case = _submit(
        service, CLERK, ApplicantIn(name="赵六", id_number=LI_ID), key="", channel=pb.CHANNEL_WINDOW
    )
    assert (case.submitted_by, case.owner, case.applicant_name) == (CLERK.subject, "", "赵六")
    assert case.identity_check == pb.IDENTITY_CHECK_WINDOW and case.applicant_real_name_level == 0
    for channel in (pb.CHANNEL_ONLINE, 0):  # staff never apply online, in anyone's name
        with pytest.raises(PermissionDenied):
            _submit(
                service, CLERK, ApplicantIn(name="赵六", id_number=LI_ID), key=f"o-{channel}", channel=channel
            )


def test_an_item_s_minimum_real_name_level_is_enforced_online(service_factory, catalog, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    strict = guide_version()
    strict.guide.min_real_name_level = 3
    catalog[1].versions[:] = [
        strict,
        guide_version(INSTANT_ITEM, case_type=cpb.CASE_TYPE_INSTANT),
        show_version(),
    ]
    service = service_factory(sqlite_url)
    with pytest.raises(PermissionDenied) as low:
        _submit(service, CITIZEN, ApplicantIn())
    assert low.value.code == "REAL_NAME_LEVEL_TOO_LOW"
    assert (
        "不低于3级" in low.value.message and "当前为2级" in low.value.message and "窗口" in low.value.message
    )
    assert _submit(service, AGENT, ApplicantIn(), key="verified").applicant_real_name_level == 5
    window = _submit(
        service, CLERK, ApplicantIn(name="张三", id_number=ZHANG_ID), key="", channel=pb.CHANNEL_WINDOW
    )
    assert window.identity_check == pb.IDENTITY_CHECK_WINDOW
