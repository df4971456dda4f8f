"""Identity on the full stack: PostgreSQL, real Keycloak, calls over gRPC with signed principals."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from keycloak import KeycloakAdmin
from sqlalchemy import func, select

from ywtb.api.identity.v1 import identity_pb2 as pb
from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.tokens import principal_from_claims
from ywtb.common.codes import make_credit_code
from ywtb.common.context import bound
from ywtb.common.db import Database
from ywtb.common.errors import PermissionDenied
from ywtb.common.grpc import build_server, channel, server_port
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.common.testing.stack import stack_env, unique_name
from ywtb.identity import directory
from ywtb.identity.grpc_api import IdentityServicer
from ywtb.identity.keycloak import KeycloakDirectory
from ywtb.identity.models import Account, outbox
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.service import IdentityService

pytestmark = pytest.mark.integration

KEY = b"integration-signing-key-0123456789"
KEYCLOAK_CTL = Path(__file__).resolve().parents[3] / "deploy" / "local" / "keycloak.sh"
ROOT = Principal(subject="root", tenant="510000", roles=frozenset({"platform_admin"}))
PASSWORD = "Init-Passw0rd1"


def _keycloak_directory() -> KeycloakDirectory:
    return KeycloakDirectory(
        stack_env("YWTB_KEYCLOAK_URL"),
        stack_env("YWTB_KEYCLOAK_REALM"),
        "ywtb-identity-admin",
        stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"),
    )


def _admin() -> KeycloakAdmin:
    return KeycloakAdmin(
        server_url=stack_env("YWTB_KEYCLOAK_URL"),
        realm_name="ywtb",
        client_id="ywtb-identity-admin",
        client_secret_key=stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"),
    )


class Stack:
    """The identity service on a fresh PostgreSQL database behind a real gRPC server."""

    def __init__(self, url: str, target: directory.Directory) -> None:
        upgrade(script_location_of("ywtb.identity"), url)
        keys = PiiKeys.from_secret("integration-pii-secret-0123456789", "identity")
        self.db = Database(url)
        self.provisioner = Provisioner(self.db, target, keys)
        self.service = IdentityService(
            self.db, self.provisioner, keys, person_home_tenant="510000", local_passwords=False
        )
        self.server = build_server(
            [(identity_pb2_grpc.add_IdentityServiceServicer_to_server, IdentityServicer(self.service))],
            port=0,
            signing_key=KEY,
            service_name="ywtb.identity",
            host="127.0.0.1",
        )
        self.server.start()
        self.channel = channel(f"127.0.0.1:{server_port(self.server)}", signing_key=KEY)
        self.stub = identity_pb2_grpc.IdentityServiceStub(self.channel)
        self.usernames: list[str] = []

    def call(self, principal: Principal, method: str, request):  # type: ignore[no-untyped-def]
        with bound(principal=principal):
            return getattr(self.stub, method)(request, timeout=30)

    def close(self) -> None:
        admin = _admin()
        for username in self.usernames:
            user_id = admin.get_user_id(username)
            if user_id:
                admin.delete_user(user_id)
        self.channel.close()
        self.server.stop(0)


@pytest.fixture
def stack(postgres_url) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    stack = Stack(postgres_url, _keycloak_directory())
    for code, name, parent in [
        ("510000", "四川省", ""),
        ("510100", "成都市", "510000"),
        ("510104", "锦江区", "510100"),
        ("510105", "青羊区", "510100"),
    ]:
        stack.call(ROOT, "OnboardTenant", pb.OnboardTenantRequest(code=code, name=name, parent_code=parent))
    yield stack
    stack.close()


def _token_claims(username: str) -> dict:
    admin = _admin()
    user_id = admin.get_user_id(username)
    admin.update_user(user_id, {"requiredActions": []})  # as if the user set a password at first login
    response = httpx.post(
        f"{stack_env('YWTB_KEYCLOAK_URL')}/realms/ywtb/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "workbench", "username": username, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    payload = response.json()["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _create_staff(stack: Stack, principal: Principal, dept: str, roles: list[str]) -> pb.Staff:
    username = unique_name("it.")
    stack.usernames.append(username)
    return stack.call(
        principal,
        "CreateStaff",
        pb.CreateStaffRequest(
            dept=dept,
            username=username,
            name="测试人员",
            roles=roles,
            mobile="13912345678",
            initial_password=PASSWORD,
        ),
    ).staff


def test_county_onboarding_yields_keycloak_tokens_with_tenant_dept_and_roles(stack) -> None:
    county_admin = Principal(subject="jj-admin", tenant="510104", roles=frozenset({"tenant_admin"}))
    market, civil = make_credit_code("11510104MB3234567"), make_credit_code("11510104MB4234567")
    for code, name in [(market, "成都市锦江区市场监督管理局"), (civil, "成都市锦江区民政局")]:
        stack.call(
            county_admin,
            "CreateDepartment",
            pb.CreateDepartmentRequest(tenant="510104", credit_code=code, name=name),
        )
    clerk = _create_staff(stack, county_admin, market, ["window_clerk"])
    approver = _create_staff(stack, county_admin, civil, ["approver"])
    assert clerk.status == approver.status == pb.ACCOUNT_STATUS_ACTIVE
    for staff, dept, role in [(clerk, market, "window_clerk"), (approver, civil, "approver")]:
        claims = _token_claims(staff.username)
        assert claims["tenant"] == "510104" and claims["dept"] == dept
        assert principal_from_claims(claims).subject == staff.id  # account_id claim, not Keycloak's sub
        assert role in claims["roles"] and "tenant_admin" not in claims["roles"]
        assert "ywtb-gateway" in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])


def test_county_a_admin_cannot_create_staff_in_county_b_and_citizens_cannot_at_all(stack) -> None:
    qingyang = make_credit_code("11510105MB6234567")
    stack.call(
        ROOT,
        "CreateDepartment",
        pb.CreateDepartmentRequest(tenant="510105", credit_code=qingyang, name="成都市青羊区市场监督管理局"),
    )
    jinjiang_admin = Principal(subject="jj-admin", tenant="510104", roles=frozenset({"tenant_admin"}))
    citizen = Principal(subject="p-1", tenant="510000", roles=frozenset({"citizen"}))
    for principal in (jinjiang_admin, citizen):
        with pytest.raises(PermissionDenied):
            _create_staff(stack, principal, qingyang, ["window_clerk"])
    with pytest.raises(PermissionDenied):
        stack.call(citizen, "ListStaff", pb.ListStaffRequest(tenant="510105"))
    admin = _admin()
    assert all(admin.get_user_id(u) is None for u in stack.usernames)


def _keycloak(action: str) -> None:
    subprocess.run(["bash", str(KEYCLOAK_CTL), action], check=True, timeout=300)


def test_keycloak_down_during_staff_creation_completes_later_without_orphans(stack) -> None:
    market = make_credit_code("11510104MB3234567")
    stack.call(
        ROOT,
        "CreateDepartment",
        pb.CreateDepartmentRequest(tenant="510104", credit_code=market, name="成都市锦江区市场监督管理局"),
    )
    _keycloak("stop")
    try:
        staff = _create_staff(stack, ROOT, market, ["window_clerk"])
        assert staff.status == pb.ACCOUNT_STATUS_PROVISIONING
    finally:
        _keycloak("start")
    with stack.db.transaction() as s:
        s.execute(Account.__table__.update().values(next_attempt_at=func.now()))
    stack.provisioner.run_due()
    reply = stack.call(ROOT, "GetStaff", pb.GetStaffRequest(id=staff.id)).staff
    assert reply.status == pb.ACCOUNT_STATUS_ACTIVE
    users = _admin().get_users({"username": staff.username, "exact": True})
    assert len(users) == 1 and users[0]["attributes"]["ywtb_account_id"] == [staff.id]
    with stack.db.transaction() as s:
        created = s.scalar(select(func.count()).where(outbox.c.ce_type == "ywtb.identity.v1.StaffCreated"))
    assert created == 1


class CrashAfterCreate:
    """Creates the user at Keycloak, then fails as if the process died before committing."""

    def __init__(self, inner: directory.Directory) -> None:
        self.inner = inner
        self.crashed = threading.Event()

    def ensure_account(self, account: directory.Account) -> str:
        user_id = self.inner.ensure_account(account)
        if not self.crashed.is_set():
            self.crashed.set()
            raise directory.DirectoryUnavailable("simulated crash after the user was created")
        return user_id

    def disable_account(self, account_id: str, username: str) -> None:
        self.inner.disable_account(account_id, username)


def test_a_crash_between_keycloak_and_commit_adopts_the_user(postgres_url) -> None:
    stack = Stack(postgres_url, CrashAfterCreate(_keycloak_directory()))
    try:
        stack.call(ROOT, "OnboardTenant", pb.OnboardTenantRequest(code="510000", name="四川省"))
        market = make_credit_code("11510000MB3234567")
        stack.call(
            ROOT,
            "CreateDepartment",
            pb.CreateDepartmentRequest(tenant="510000", credit_code=market, name="四川省市场监督管理局"),
        )
        staff = _create_staff(stack, ROOT, market, ["approver"])
        assert staff.status == pb.ACCOUNT_STATUS_PROVISIONING
        with stack.db.transaction() as s:
            s.execute(Account.__table__.update().values(next_attempt_at=func.now()))
        stack.provisioner.run_due()
        assert (
            stack.call(ROOT, "GetStaff", pb.GetStaffRequest(id=staff.id)).staff.status
            == pb.ACCOUNT_STATUS_ACTIVE
        )
        assert len(_admin().get_users({"username": staff.username, "exact": True})) == 1
    finally:
        stack.close()


def test_grpc_rejects_an_unsigned_caller(stack) -> None:
    with (
        grpc.insecure_channel(f"127.0.0.1:{server_port(stack.server)}") as raw,
        pytest.raises(grpc.RpcError) as raised,
    ):
        identity_pb2_grpc.IdentityServiceStub(raw).ListStaff(pb.ListStaffRequest(tenant="510104"), timeout=5)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
