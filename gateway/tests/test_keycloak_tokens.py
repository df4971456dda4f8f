"""Against the real local Keycloak: its tokens carry tenant, dept and roles the gateway understands."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ywtb.common.codes.credit_code import make_credit_code
from ywtb.common.testing.stack import stack_env
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings

pytestmark = pytest.mark.integration

REALM = "ywtb"
ADMIN_CLIENT = "ywtb-identity-admin"  # its secret: YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET (rotated by make up)
DEPT = make_credit_code("11510104MB0000001")  # a valid 18-character unified social credit code


@pytest.fixture(scope="module")
def keycloak() -> str:
    return stack_env("YWTB_KEYCLOAK_URL").rstrip("/")


def _token(keycloak: str, realm: str, data: dict[str, str]) -> str:
    response = httpx.post(f"{keycloak}/realms/{realm}/protocol/openid-connect/token", data=data, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def admin(keycloak: str) -> Iterator[httpx.Client]:
    client_id, secret = ADMIN_CLIENT, stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET")
    token = _token(
        keycloak, REALM, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    with httpx.Client(
        base_url=f"{keycloak}/admin/realms/{REALM}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def clerk(admin: httpx.Client) -> Iterator[dict[str, Any]]:
    """A window clerk of county 510104 created in realm ywtb for this test, deleted afterwards."""
    username = f"test-clerk-{uuid.uuid4().hex[:10]}"
    password = secrets.token_urlsafe(18)
    created = admin.post(
        "/users",
        json={
            "username": username,
            "enabled": True,
            "firstName": "窗口",
            "lastName": "测试",
            "email": f"{username}@example.gov.cn",
            "emailVerified": True,
            "attributes": {
                "tenant": ["510104"],
                "dept": [DEPT],
                "real_name_level": ["3"],
                "subject_type": ["staff"],
            },
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        },
    )
    assert created.status_code == 201, created.text
    user_id = created.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    try:
        role = admin.get("/roles/window_clerk")
        assert role.status_code == 200, role.text
        mapped = admin.post(f"/users/{user_id}/role-mappings/realm", json=[role.json()])
        assert mapped.status_code == 204, mapped.text
        yield {"id": user_id, "username": username, "password": password}
    finally:
        admin.delete(f"/users/{user_id}")


@pytest.fixture
def gateway(keycloak: str, tmp_path: Any) -> TestClient:
    settings = GatewaySettings(
        internal_signing_key=secrets.token_urlsafe(32),
        mode="local",
        auth_mode="keycloak",
        oidc_issuer=f"{keycloak}/realms/{REALM}",
        data_dir=tmp_path,
    )
    return TestClient(create_app(settings))


def test_keycloak_token_gives_the_clerk_principal(
    keycloak: str, clerk: dict[str, Any], gateway: TestClient, admin: httpx.Client
) -> None:
    token = _token(
        keycloak,
        REALM,
        {
            "grant_type": "password",
            "client_id": "workbench",
            "username": clerk["username"],
            "password": clerk["password"],
            "scope": "openid",
        },
    )
    response = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["subject"] == clerk["id"]
    assert me["tenant"] == "510104"
    assert me["dept"] == DEPT
    assert me["roles"] == ["window_clerk"]
    assert me["real_name_level"] == 3
    assert me["subject_type"] == "staff"

    # A tampered copy of the same real token is refused.
    header, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    tampered = f"{header}.{payload}.{flipped}"
    assert gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def _rejection(gateway: TestClient, token: str, caplog: pytest.LogCaptureFixture) -> str:
    """The reason the gateway logged for refusing the token (the caller only sees 401 UNAUTHENTICATED)."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ywtb.common.auth.tokens"):
        response = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    reasons = [r.getMessage() for r in caplog.records if "bearer token rejected" in r.getMessage()]
    assert len(reasons) == 1, reasons
    return reasons[0]


def test_token_of_another_realm_rejected(
    keycloak: str, gateway: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = _token(
        keycloak,
        "master",
        {"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"},
    )
    # The master realm signs with its own key: the ywtb realm's JWKS does not know it.
    assert "unknown kid" in _rejection(gateway, token, caplog)


def test_token_for_another_audience_rejected(
    keycloak: str, gateway: TestClient, admin: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    # The identity admin's service-account token is a real ywtb-realm token, but not for the gateway.
    client_id, secret = ADMIN_CLIENT, stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET")
    token = _token(
        keycloak, REALM, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert "InvalidAudienceError" in _rejection(gateway, token, caplog)


def test_external_system_client_credentials_token(keycloak: str, gateway: TestClient) -> None:
    """The provincial platform's client-credentials token is an external_system principal of 510000."""
    token = _token(
        keycloak,
        REALM,
        {
            "grant_type": "client_credentials",
            "client_id": "ext-provincial-platform",
            "client_secret": stack_env("YWTB_KEYCLOAK_EXT_PROVINCIAL_SECRET"),
        },
    )
    me = gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["external_system"]
    assert (me.json()["tenant"], me.json()["subject_type"]) == ("510000", "external_system")
