"""Identity REST routes through the gateway to a real identity service (SQLite, built-in issuer tokens)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.db import Database
from ywtb.common.grpc import build_server, server_port
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys, id_check_char
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings
from ywtb.identity.directory import LocalDirectory
from ywtb.identity.grpc_api import IdentityServicer
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.service import IdentityService

SIGNING_KEY = "gateway-identity-test-signing-key-0123"
MARKET = make_credit_code("11510104MB3234567")
QINGYANG = make_credit_code("11510105MB6234567")
ID17 = "51010419900307123"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(script_location_of("ywtb.identity"), url)
    db, keys = Database(url), PiiKeys.from_secret("gateway-test-pii-secret-0123456789", "identity")
    service = IdentityService(
        db, Provisioner(db, LocalDirectory(), keys), keys, person_home_tenant="510000", local_passwords=True
    )
    root = Principal(subject="root", tenant="510000", roles=frozenset({"platform_admin"}))
    for code, name, parent in [
        ("510000", "四川省", ""),
        ("510100", "成都市", "510000"),
        ("510104", "锦江区", "510100"),
        ("510105", "青羊区", "510100"),
    ]:
        service.onboard_tenant(root, code, name, parent)
    service.create_department(root, "510105", QINGYANG, "成都市青羊区市场监督管理局", "")
    server = build_server(
        [(identity_pb2_grpc.add_IdentityServiceServicer_to_server, IdentityServicer(service))],
        port=0,
        host="127.0.0.1",
        signing_key=SIGNING_KEY.encode(),
        service_name="ywtb.identity",
    )
    server.start()
    settings = GatewaySettings(
        internal_signing_key=SIGNING_KEY,
        data_dir=tmp_path,
        identity_target=f"127.0.0.1:{server_port(server)}",
    )
    with TestClient(create_app(settings)) as client:
        yield client
    server.stop(0)


def _token(client: TestClient, principal: Principal) -> dict[str, str]:
    token = client.app.state.issuer.mint(principal)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {token}"}


JINJIANG_ADMIN = Principal(subject="jj-admin", tenant="510104", roles=frozenset({"tenant_admin"}))
CITIZEN = Principal(subject="p-1", tenant="510000", roles=frozenset({"citizen"}))
STAFF = {
    "dept": MARKET,
    "username": "jj.clerk",
    "name": "李受理",
    "roles": ["window_clerk"],
    "mobile": "13912345678",
    "initial_password": "Abc12345",
}


def test_tenant_admin_creates_a_department_and_staff(client: TestClient) -> None:
    headers = _token(client, JINJIANG_ADMIN)
    dept = client.post(
        "/api/v1/tenants/510104/departments",
        headers=headers,
        json={"credit_code": MARKET, "name": "成都市锦江区市场监督管理局"},
    )
    assert dept.status_code == 201, dept.text
    staff = client.post("/api/v1/staff", headers=headers, json=STAFF)
    assert staff.status_code == 201, staff.text
    assert (
        staff.json()["status"] == "ACCOUNT_STATUS_ACTIVE" and staff.json()["mobile_masked"] == "139****5678"
    )
    listed = client.get("/api/v1/staff", headers=headers, params={"tenant": "510104"})
    assert [s["username"] for s in listed.json()] == ["jj.clerk"]


def test_other_county_and_citizens_are_refused(client: TestClient) -> None:
    foreign = client.post(
        "/api/v1/staff", headers=_token(client, JINJIANG_ADMIN), json={**STAFF, "dept": QINGYANG}
    )
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "PERMISSION_DENIED"
    citizen = client.post("/api/v1/staff", headers=_token(client, CITIZEN), json={**STAFF, "dept": QINGYANG})
    assert citizen.status_code == 403
    assert (
        client.get("/api/v1/staff", headers=_token(client, CITIZEN), params={"tenant": "510105"}).status_code
        == 403
    )
    assert client.post("/api/v1/staff", json=STAFF).status_code == 401


def test_person_registration_and_personal_data(client: TestClient) -> None:
    id_number = ID17 + id_check_char(ID17)
    body = {
        "name": "张三",
        "id_number": id_number,
        "mobile": "13800000001",
        "password": "Abc12345",
        "factors": [{"type": 3, "value": "6222020200001"}],
    }
    created = client.post("/api/v1/persons", json=body)
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["real_name_level"] == 2 and person["id_number"] == ""
    owner = Principal(subject=person["id"], tenant="510000", roles=frozenset({"citizen"}))
    assert (
        client.get(f"/api/v1/persons/{person['id']}", headers=_token(client, owner)).json()["id_number"]
        == id_number
    )
    clerk = Principal(subject="c-1", tenant="510104", roles=frozenset({"window_clerk"}))
    masked = client.get(f"/api/v1/persons/{person['id']}", headers=_token(client, clerk)).json()["id_number"]
    assert masked == id_number[:6] + "********" + id_number[-4:]
    assert client.get(f"/api/v1/persons/{person['id']}", headers=_token(client, CITIZEN)).status_code == 403


def test_bad_identity_input_is_a_chinese_field_message(client: TestClient) -> None:
    bad_check = ID17 + ("0" if id_check_char(ID17) != "0" else "1")
    body = {
        "name": "张三",
        "id_number": bad_check,
        "mobile": "13800000001",
        "password": "Abc12345",
        "factors": [{"type": 3, "value": "6222"}],
    }
    response = client.post("/api/v1/persons", json=body)
    assert response.status_code == 422
    assert "校验位" in response.json()["error"]["fields"]["id_number"]
    bad_code = client.post(
        "/api/v1/tenants/510104/departments",
        headers=_token(client, JINJIANG_ADMIN),
        json={"credit_code": MARKET[:-1] + ("0" if MARKET[-1] != "0" else "1"), "name": "某局"},
    )
    assert bad_code.status_code == 422 and "credit_code" in bad_code.json()["error"]["fields"]
    missing = client.post("/api/v1/staff", headers=_token(client, JINJIANG_ADMIN), json={"dept": MARKET})
    assert missing.status_code == 422 and "username" in missing.json()["error"]["fields"]
