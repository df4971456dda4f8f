"""Demo data (SAMPLE DATA, not real people): 四川省 成都市 锦江区 and its accounts.

On the local stack the accounts are provisioned into the shared Keycloak realm. Every database
seeds them with the same account ids (derived from the username) and with non-temporary
passwords, so a platform on a fresh database adopts the Keycloak users an earlier one created
and the demo accounts log in with the password grant at once.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from ywtb.api.identity.v1 import identity_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.pii import id_check_char
from ywtb.identity.models import Account, Department, Tenant
from ywtb.identity.service import IdentityService

log = logging.getLogger(__name__)
DEMO_PASSWORD = "Demo2026ywtb"
SEEDER = Principal(subject="seed", roles=frozenset({"platform_admin"}))
DEMO_NAMESPACE = uuid.UUID("6f1c2d4e-2a7b-5c8d-9e0f-1a2b3c4d5e6f")

TENANTS = [
    ("510000", "四川省", ""),
    ("510100", "成都市", "510000"),
    ("510104", "锦江区", "510100"),
    ("510105", "青羊区", "510100"),
]
# (tenant, 17-character prefix of the credit code, name, short name)
DEPARTMENTS = [
    ("510000", "11510000MB1234567", "四川省政务服务和公共资源交易服务中心", "省政务服务中心"),
    ("510100", "11510100MB2234567", "成都市政务服务管理和网络理政办公室", "市网络理政办"),
    ("510104", "11510104MB3234567", "成都市锦江区市场监督管理局", "区市场监管局"),
    ("510104", "11510104MB4234567", "成都市锦江区民政局", "区民政局"),
    ("510104", "11510104MB5234567", "成都市锦江区政务服务管理和网络理政办公室", "区网络理政办"),
    ("510105", "11510105MB6234567", "成都市青羊区市场监督管理局", "区市场监管局"),
    # The implementing departments of the sample catalogue (services/catalog/.../sample_catalogue.yaml).
    ("510104", "11510104MB1023456", "成都市公安局锦江区分局", "锦江公安分局"),
    ("510104", "11510104MB1123456", "成都市锦江区人力资源和社会保障局", "区人社局"),
    ("510104", "11510104MB1223456", "成都市锦江区卫生健康局", "区卫健局"),
    ("510104", "11510104MB1323456", "成都市锦江区住房和城乡建设局", "区住建局"),
    ("510104", "11510104MB1423456", "成都市锦江区教育局", "区教育局"),
    ("510104", "11510104MB1523456", "国家税务总局成都市锦江区税务局", "锦江区税务局"),
    ("510104", "11510104MB1623456", "成都市锦江区医疗保障局", "区医保局"),
    ("510104", "11510104MB1723456", "成都市锦江区综合行政执法局", "区综合执法局"),
    ("510100", "11510100MB1023456", "成都市市场监督管理局", "市市场监管局"),
    ("510100", "11510100MB1123456", "成都市公安局交通管理局", "市公安交管局"),
    ("510100", "11510100MB1223456", "成都市规划和自然资源局", "市规划和自然资源局"),
    ("510100", "11510100MB1323456", "成都市交通运输局", "市交通运输局"),
    ("510100", "12510100MB1423456", "成都住房公积金管理中心", "市公积金中心"),
    ("510100", "11510100MB1523456", "成都市住房和城乡建设局", "市住建局"),
]
# (username, name, department prefix, roles)
STAFF = [
    ("chengdu.admin", "陈成都", "11510100MB2234567", ["tenant_admin"]),
    ("jinjiang.admin", "金锦江", "11510104MB5234567", ["tenant_admin"]),
    ("jinjiang.clerk", "李受理", "11510104MB3234567", ["window_clerk"]),
    ("jinjiang.approver", "王审批", "11510104MB3234567", ["approver"]),
    ("jinjiang.approver2", "赵审批", "11510104MB4234567", ["approver"]),
    ("jinjiang.deptadmin", "孙部门", "11510104MB3234567", ["dept_admin"]),
    ("jinjiang.supervisor", "周监督", "11510104MB5234567", ["supervisor"]),
    ("qingyang.clerk", "刘青羊", "11510105MB6234567", ["window_clerk"]),
    ("jinjiang.clerk2", "钱受理", "11510104MB4234567", ["window_clerk"]),
    ("jinjiang.police", "吴户政", "11510104MB1023456", ["window_clerk"]),  # 公安综合窗口 (fees paid online)
    ("jinjiang.policeadmin", "郑财务", "11510104MB1023456", ["dept_admin"]),  # its refunds, late payments
]
CITIZEN = ("张三", "510104" + "19900307" + "123", "13800000001", "6222020200000000001")
# The citizen is also the authorised agent (经办人) of this sample enterprise.
ENTERPRISE = ("91510104MA6234567", "成都锦江示例商贸有限公司（示例数据）")


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, password, roles) of every demo account, for make run to print."""
    staff = [(u, DEMO_PASSWORD, ",".join(r)) for u, _, _, r in STAFF]
    return [
        ("platform.admin", DEMO_PASSWORD, "platform_admin"),
        *staff,
        (CITIZEN[2], DEMO_PASSWORD, "citizen,legal_person_agent"),
    ]


def demo_account_id(username: str) -> str:
    """The fixed account id of a demo account (the same in every database)."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"ywtb-demo:{username}"))


def seed_demo(service: IdentityService) -> None:
    """Create the demo tenants, departments and accounts once (idempotent)."""
    with service.db.transaction() as session:
        seeded = session.scalar(select(Account.id).where(Account.username == "platform.admin"))
    if seeded:
        if seeded != demo_account_id("platform.admin"):
            log.warning(
                "the demo data in this database was seeded by an earlier version (random account ids, "
                "possibly local passwords only): its demo accounts may not log in through Keycloak; "
                "drop the identity database to seed it again"
            )
        return
    for code, name, parent in TENANTS:
        service.onboard_tenant(SEEDER, code, name, parent)
    for tenant, prefix, name, short in DEPARTMENTS:
        service.create_department(SEEDER, tenant, make_credit_code(prefix), name, short)
    ensure_platform_admin(
        service, "platform.admin", "平台管理员", DEMO_PASSWORD, make_credit_code(DEPARTMENTS[0][1])
    )
    for username, name, prefix, roles in STAFF:
        service.create_staff(
            SEEDER,
            make_credit_code(prefix),
            username,
            name,
            roles,
            "13900000000",
            DEMO_PASSWORD,
            temporary_password=False,
            staff_id=demo_account_id(username),
        )
    name, id17, mobile, bank_card = CITIZEN
    person = service.register_person(
        name,
        id17 + id_check_char(id17),
        mobile,
        [(identity_pb2.FACTOR_TYPE_BANK_CARD, bank_card)],
        "",
        DEMO_PASSWORD,
        person_id=demo_account_id(mobile),
    )
    clerk = Principal(subject="seed", tenant="510104", roles=frozenset({"window_clerk"}))
    credit_code = make_credit_code(ENTERPRISE[0])
    service.register_legal_person(clerk, credit_code, ENTERPRISE[1], 2, name, "510104")
    service.authorise_agent(clerk, credit_code, person.id, None)
    log.info(
        "demo data seeded: %d tenants, %d departments, %d accounts (SAMPLE DATA)",
        len(TENANTS),
        len(DEPARTMENTS),
        len(demo_accounts()),
    )


def ensure_platform_admin(
    service: IdentityService, username: str, name: str, password: str, dept: str
) -> None:
    """The first platform admin (the API cannot grant platform_admin): created at start-up only."""
    with service.db.transaction() as session:
        if session.scalar(select(Account.id).where(Account.username == username)):
            return
        department = session.get(Department, dept)
        tenant = session.get(Tenant, department.tenant) if department else None
        if tenant is None:
            raise RuntimeError(f"seed: the platform admin's department {dept} is not seeded")
    service.create_staff(
        SEEDER,
        dept,
        username,
        name,
        ["platform_admin"],
        "13900000000",
        password,
        bootstrap=True,
        temporary_password=False,
        staff_id=demo_account_id(username),
    )
    log.info("platform admin %s created in %s", username, tenant.name)
