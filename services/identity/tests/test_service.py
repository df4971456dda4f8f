"""Identity use cases on SQLite with the local directory: tenancy, authorisation, personal data, provisioning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from ywtb.api.identity.v1 import identity_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, InvalidArgument, PermissionDenied, Unauthenticated
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys, id_check_char
from ywtb.identity import directory
from ywtb.identity.models import Account, AgentAuthorisation, Department, Person, Staff, Tenant, outbox
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.service import IdentityService

ADMIN = Principal(subject="root", tenant="510000", roles=frozenset({"platform_admin"}))
KEYS = PiiKeys.from_secret("unit-test-pii-secret-0123456789", "identity")
ID17 = "51010419900307123"
ID_NUMBER = ID17 + id_check_char(ID17)
MSCJ = make_credit_code("11510104MB3234567")
MZJ = make_credit_code("11510104MB4234567")
QY = make_credit_code("11510105MB6234567")


class FlakyDirectory:
    """A directory that is down until told otherwise, then behaves like the local one."""

    def __init__(self) -> None:
        self.up = False
        self.calls: list[str] = []
        self.taken: set[str] = set()

    def ensure_account(self, account: directory.Account) -> str:
        self.calls.append(account.username)
        if account.username in self.taken:
            raise directory.UsernameTaken(account.username)
        if not self.up:
            raise directory.DirectoryUnavailable("connection refused")
        return f"idp-{account.account_id}"

    def disable_account(self, account_id: str, username: str) -> None:
        pass


def _service(url: str, target=None) -> IdentityService:  # type: ignore[no-untyped-def]
    upgrade(script_location_of("ywtb.identity"), url)
    db = Database(url)
    target = target or directory.LocalDirectory()
    local = isinstance(target, directory.LocalDirectory)
    service = IdentityService(
        db, Provisioner(db, target, KEYS), KEYS, person_home_tenant="510000", local_passwords=local
    )
    for code, name, parent in [
        ("510000", "四川省", ""),
        ("510100", "成都市", "510000"),
        ("510104", "锦江区", "510100"),
        ("510105", "青羊区", "510100"),
    ]:
        service.onboard_tenant(ADMIN, code, name, parent)
    return service


@pytest.fixture
def service(sqlite_url) -> IdentityService:  # type: ignore[no-untyped-def]
    return _service(sqlite_url)


def _admin_of(tenant: str) -> Principal:
    return Principal(subject=f"admin-{tenant}", tenant=tenant, roles=frozenset({"tenant_admin"}))


def _events(service: IdentityService) -> list[str]:
    with service.db.transaction() as s:
        return [row.ce_type for row in s.execute(select(outbox.c.ce_type).order_by(outbox.c.seq))]


def test_county_onboarding_with_departments_and_staff(service) -> None:
    admin = _admin_of("510104")
    service.create_department(admin, "510104", MSCJ, "成都市锦江区市场监督管理局", "区市场监管局")
    service.create_department(admin, "510104", MZJ, "成都市锦江区民政局", "区民政局")
    clerk, account = service.create_staff(
        admin, MSCJ, "jj.clerk", "李受理", ["window_clerk"], "13912345678", "Abc12345"
    )
    assert account.status == pb.ACCOUNT_STATUS_ACTIVE
    principal = service.resolve_principal(Principal(subject="gw", roles=frozenset({"service"})), "jj.clerk")
    assert (principal.tenant, principal.dept, principal.roles) == (
        "510104",
        MSCJ,
        frozenset({"window_clerk"}),
    )
    assert clerk.mobile_masked == "139****5678"
    assert _events(service).count("ywtb.identity.v1.TenantOnboarded") == 4
    assert _events(service)[-3:] == [
        "ywtb.identity.v1.DepartmentCreated",
        "ywtb.identity.v1.DepartmentCreated",
        "ywtb.identity.v1.StaffCreated",
    ]
    # A city admin manages its counties; a county admin sees its own staff.
    service.create_staff(
        _admin_of("510100"), MZJ, "jj.approver", "王审批", ["approver"], "13912345679", "Abc12345"
    )
    assert [s.account.username for s in service.list_staff(admin, "510104", "")] == [
        "jj.approver",
        "jj.clerk",
    ]


def test_county_admin_cannot_touch_another_county(service) -> None:
    service.create_department(_admin_of("510105"), "510105", QY, "成都市青羊区市场监督管理局", "")
    with pytest.raises(PermissionDenied):
        service.create_staff(
            _admin_of("510104"), QY, "intruder", "某某", ["window_clerk"], "13912345678", "Abc12345"
        )
    with pytest.raises(PermissionDenied):
        service.create_department(_admin_of("510104"), "510105", MZJ, "越权部门", "")
    with pytest.raises(PermissionDenied):
        service.list_staff(_admin_of("510104"), "510105", "")
    with service.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Staff)) == 0


def test_citizen_and_role_escalation_are_refused(service) -> None:
    service.create_department(_admin_of("510104"), "510104", MSCJ, "成都市锦江区市场监督管理局", "")
    citizen = Principal(subject="p1", tenant="510000", roles=frozenset({"citizen"}))
    with pytest.raises(PermissionDenied):
        service.create_staff(citizen, MSCJ, "fake", "假冒", ["window_clerk"], "13912345678", "Abc12345")
    dept_admin = Principal(subject="d1", tenant="510104", dept=MSCJ, roles=frozenset({"dept_admin"}))
    with pytest.raises(PermissionDenied):
        service.create_staff(dept_admin, MSCJ, "boss", "升级", ["tenant_admin"], "13912345678", "Abc12345")
    with pytest.raises(InvalidArgument):
        service.create_staff(
            _admin_of("510104"), MSCJ, "root2", "超管", ["platform_admin"], "13912345678", "Abc12345"
        )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.onboard_tenant(ADMIN, "51010", "坏代码", "510100"), "code"),
        (lambda s: s.onboard_tenant(ADMIN, "519999", "不存在", "510000"), "code"),
        (
            lambda s: s.create_department(
                ADMIN, "510104", MSCJ[:-1] + ("0" if MSCJ[-1] != "0" else "1"), "部门", ""
            ),
            "credit_code",
        ),
        (
            lambda s: s.register_person(
                "张三",
                ID17 + ("0" if ID_NUMBER[-1] != "0" else "1"),
                "13800000001",
                [(pb.FACTOR_TYPE_BANK_CARD, "6222")],
                "",
                "Abc12345",
            ),
            "id_number",
        ),
        (
            lambda s: s.register_person(
                "张三", ID_NUMBER, "1380000", [(pb.FACTOR_TYPE_BANK_CARD, "6222")], "", "Abc12345"
            ),
            "mobile",
        ),
        (lambda s: s.register_person("张三", ID_NUMBER, "13800000001", [], "", "Abc12345"), "factors"),
        (
            lambda s: s.register_person(
                "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "6222")], "", "short"
            ),
            "password",
        ),
    ],
)
def test_bad_input_gets_a_chinese_message_and_persists_nothing(service, call, field) -> None:
    before = _counts(service)
    with pytest.raises(InvalidArgument) as raised:
        call(service)
    assert field in raised.value.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.fields[field])
    assert _counts(service) == before


def _counts(service: IdentityService) -> tuple[int, ...]:
    with service.db.transaction() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t))
            for t in (Tenant, Department, Account, Person, outbox)
        )


def test_person_personal_data_is_encrypted_and_masked(service) -> None:
    person = service.register_person(
        "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "6222020200001")], "", "Abc12345"
    )
    assert person.real_name_level == 2 and person.account.username == "13800000001"
    with service.db.transaction() as s:
        raw = " ".join(str(v) for v in s.execute(text("SELECT * FROM persons")).one())
    assert ID_NUMBER not in raw and "13800000001" not in raw and "6222020200001" not in raw
    owner = Principal(subject=person.id, roles=frozenset({"citizen"}))
    assert service.get_person(owner, person.id)[1] == ID_NUMBER
    clerk = Principal(subject="c", tenant="510104", roles=frozenset({"window_clerk"}))
    assert service.get_person(clerk, person.id)[1] == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    with pytest.raises(PermissionDenied):
        service.get_person(Principal(subject="other", roles=frozenset({"citizen"})), person.id)
    with pytest.raises(AlreadyExists):
        service.register_person(
            "张三", ID_NUMBER, "13800000002", [(pb.FACTOR_TYPE_BANK_CARD, "1")], "zs2", "Abc12345"
        )
    verified = service.verify_person(clerk, person.id, pb.VERIFICATION_METHOD_WINDOW, ID_NUMBER)
    assert verified.real_name_level == 5


def test_password_login_on_the_local_store(service) -> None:
    service.register_person(
        "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "1")], "", "Abc12345"
    )
    gateway = Principal(subject="gateway", roles=frozenset({"service"}))
    assert service.authenticate_password(gateway, "13800000001", "Abc12345").roles == frozenset({"citizen"})
    with pytest.raises(Unauthenticated):
        service.authenticate_password(gateway, "13800000001", "wrong-Abc1")
    with pytest.raises(PermissionDenied):
        service.authenticate_password(
            Principal(subject="x", roles=frozenset({"citizen"})), "13800000001", "Abc12345"
        )


def test_directory_down_then_back_completes_once(sqlite_url) -> None:
    flaky = FlakyDirectory()
    service = _service(sqlite_url, flaky)
    service.create_department(ADMIN, "510104", MSCJ, "成都市锦江区市场监督管理局", "")
    staff, account = service.create_staff(
        ADMIN, MSCJ, "jj.clerk", "李受理", ["window_clerk"], "13912345678", "Abc12345"
    )
    assert account.status == pb.ACCOUNT_STATUS_PROVISIONING
    assert "ywtb.identity.v1.StaffCreated" not in _events(service)
    with service.db.transaction() as s:
        s.execute(Account.__table__.update().values(next_attempt_at=func.now()))
        secret = s.get(Account, staff.id).pending_secret
    assert secret and "Abc12345" not in secret
    flaky.up = True
    service.provisioner.run_due()
    service.provisioner.run_due()
    with service.db.transaction() as s:
        account = s.get(Account, staff.id)
    assert account.status == pb.ACCOUNT_STATUS_ACTIVE and account.pending_secret is None
    assert _events(service).count("ywtb.identity.v1.StaffCreated") == 1


def test_username_taken_at_the_provider_fails_cleanly(sqlite_url) -> None:
    flaky = FlakyDirectory()
    flaky.taken.add("jj.clerk")
    service = _service(sqlite_url, flaky)
    service.create_department(ADMIN, "510104", MSCJ, "成都市锦江区市场监督管理局", "")
    with pytest.raises(AlreadyExists):
        service.create_staff(ADMIN, MSCJ, "jj.clerk", "李受理", ["window_clerk"], "13912345678", "Abc12345")
    with service.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
        assert s.scalar(select(func.count()).select_from(Staff)) == 0


def test_applicant_is_the_person_themself_or_an_agent_authorised_now(service) -> None:
    person = service.register_person(
        "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "1")], "", "Abc12345"
    )
    owner = Principal(subject=person.id, roles=frozenset({"citizen"}))
    found, id_number, legal, grant = service.get_applicant(owner, person.id)
    assert (found.name, id_number, legal, grant) == ("张三", ID_NUMBER, None, None)
    with pytest.raises(PermissionDenied):
        service.get_applicant(Principal(subject="other", roles=frozenset({"citizen"})), person.id)

    clerk = Principal(subject="c", tenant="510104", roles=frozenset({"window_clerk"}))
    service.register_legal_person(clerk, MSCJ, "锦江示例科技有限公司", 2, "王法人", "510104")
    with pytest.raises(PermissionDenied) as refused:
        service.get_applicant(owner, person.id, MSCJ)
    assert refused.value.code == "AGENT_NOT_AUTHORISED" and MSCJ in refused.value.message
    service.authorise_agent(clerk, MSCJ, person.id, datetime.now(UTC) + timedelta(days=30))
    _, _, legal, grant = service.get_applicant(owner, person.id, MSCJ)
    assert legal.name == "锦江示例科技有限公司" and grant.person_id == person.id
    service.register_legal_person(clerk, QY, "另一家公司", 2, "李法人", "510104")
    with pytest.raises(PermissionDenied):
        service.get_applicant(owner, person.id, QY)

    with service.db.transaction() as s:
        s.execute(update(AgentAuthorisation).values(valid_until=datetime.now(UTC) - timedelta(minutes=1)))
    with pytest.raises(PermissionDenied) as expired:
        service.get_applicant(owner, person.id, MSCJ)
    assert expired.value.code == "AGENT_AUTHORISATION_EXPIRED"


def test_only_a_window_clerk_of_the_company_s_own_tenant_registers_it_and_authorises_agents(service) -> None:
    person = service.register_person(
        "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "1")], "", "Abc12345"
    )
    county = Principal(subject="c", tenant="510104", roles=frozenset({"window_clerk"}))
    for upper in ("510100", "510000"):  # a city's or the province's window does not act for a county
        clerk = Principal(subject=f"c-{upper}", tenant=upper, roles=frozenset({"window_clerk"}))
        with pytest.raises(PermissionDenied):
            service.register_legal_person(clerk, MSCJ, "锦江示例科技有限公司", 2, "王法人", "510104")
    service.register_legal_person(county, MSCJ, "锦江示例科技有限公司", 2, "王法人", "510104")
    city_clerk = Principal(subject="c-city", tenant="510100", roles=frozenset({"window_clerk"}))
    with pytest.raises(PermissionDenied):
        service.authorise_agent(city_clerk, MSCJ, person.id, None)
    with pytest.raises(PermissionDenied):  # the service role is no way to read another person's ID number
        service.get_applicant(Principal(subject="gateway", roles=frozenset({"service"})), person.id)


def test_an_account_that_is_not_active_cannot_apply(service) -> None:
    person = service.register_person(
        "张三", ID_NUMBER, "13800000001", [(pb.FACTOR_TYPE_BANK_CARD, "1")], "", "Abc12345"
    )
    with service.db.transaction() as s:
        s.execute(update(Account).values(status=pb.ACCOUNT_STATUS_FAILED))
    with pytest.raises(PermissionDenied) as refused:
        service.get_applicant(Principal(subject=person.id, roles=frozenset({"citizen"})), person.id)
    assert refused.value.code == "ACCOUNT_NOT_ACTIVE"
