"""A whole login through the portal against a stand-in issuer and gateway: session id, nonce, areas, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from ywtb.common.auth.issuer import BuiltinIssuer
from ywtb.common.auth.principal import Principal
from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.oidc import OidcClient
from ywtb.portal.session import COOKIE, LocalSessionStore

ISSUER = "http://issuer.test/realms/ywtb"
CITIZEN = {"subject": "citizen-1", "tenant": "510104", "roles": ["citizen"], "name": "张三"}
CLERK = {"subject": "clerk-1", "tenant": "510104", "roles": ["window_clerk"], "name": "李受理"}
CASE_NO = "510104-20260928-000001"


class Stand:
    """The issuer (token and key endpoints, signing with a real RSA key) and the gateway, as the portal
    sees them; what they were asked."""

    def __init__(self, key_dir: Path) -> None:
        self.me: dict[str, Any] = CITIZEN
        self.signer = BuiltinIssuer(key_dir / "issuer.pem", ISSUER)
        self.id_token: Callable[[str, str], str] | None = None  # (nonce, client_id) -> token; None: valid
        self.nonces: dict[str, str] = {}  # code -> nonce of the login it was issued for
        self.gateway_calls: list[str] = []

    def valid_id_token(self, nonce: str, client_id: str) -> str:
        """What the issuer signs for this login."""
        principal = Principal(subject=self.me["subject"], tenant=self.me["tenant"])
        return self.signer.mint_id_token(principal, client_id, nonce=nonce)

    def issuer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200, json={"end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout"}
            )
        if request.url.path.endswith("/protocol/openid-connect/certs"):
            return httpx.Response(200, json=self.signer.jwks())
        form = parse_qs(request.content.decode())
        code, client_id = form["code"][0], form["client_id"][0]
        body = {"access_token": f"at-{code}", "expires_in": 300, "token_type": "Bearer"}
        token = (self.id_token or self.valid_id_token)(self.nonces[code], client_id)
        if token:
            body["id_token"] = token
        return httpx.Response(200, json=body)

    def gateway(self, request: httpx.Request) -> httpx.Response:
        self.gateway_calls.append(f"{request.method} {request.url.path}")
        if request.url.path == "/api/v1/me":
            return httpx.Response(200, json=self.me)
        return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})


@pytest.fixture
def stand(tmp_path: Path) -> Stand:
    return Stand(tmp_path)


@pytest.fixture
def store() -> LocalSessionStore:
    return LocalSessionStore()


@pytest.fixture
def client(stand: Stand, store: LocalSessionStore) -> TestClient:
    settings = PortalSettings(
        gateway_url="http://gateway.test", public_url="http://portal.test", oidc_issuer=ISSUER
    )
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand.gateway))
    oidc = OidcClient(ISSUER, ISSUER, transport=httpx.MockTransport(stand.issuer))
    app = create_app(settings, gateway=gateway, oidc=oidc, store=store)
    return TestClient(app, follow_redirects=False)


def log_in(
    client: TestClient, stand: Stand, area: str = "citizen", next_url: str = "/cases"
) -> httpx.Response:
    """Start a login, let the issuer hand back a code for it, and return the callback's reply."""
    start = client.get("/login", params={"area": area, "next": next_url})
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    code = f"code-{len(stand.nonces)}"
    stand.nonces[code] = query["nonce"]
    return client.get("/auth/callback", params={"state": query["state"], "code": code})


def signed_in(store: LocalSessionStore, client: TestClient) -> dict[str, Any]:
    """The logins of the client's session, by area."""
    return (store.load(client.cookies[COOKIE]) or {}).get("auth", {})


def test_login_gives_a_new_session_id_and_the_old_one_is_worth_nothing(
    client: TestClient, stand: Stand, store: LocalSessionStore
) -> None:
    client.get("/")
    before = client.cookies[COOKIE]  # e.g. planted by an attacker before the victim logs in
    reply = log_in(client, stand)
    assert (reply.status_code, reply.headers["location"]) == (303, "/cases")
    after = client.cookies[COOKIE]
    assert after != before
    assert store.load(before) is None
    assert signed_in(store, client)["citizen"]["me"]["subject"] == "citizen-1"
    with TestClient(client.app, follow_redirects=False) as planted:
        planted.cookies.set(COOKIE, before)
        page = planted.get("/cases")
    assert page.status_code == 303 and page.headers["location"].startswith("/login?area=citizen")


def _unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, "a-shared-secret-anyone-could-use-32b", algorithm="HS256")


FORGED_ID_TOKENS: dict[str, Callable[[Stand, str, str], str]] = {
    "wrong-nonce": lambda s, nonce, client: s.valid_id_token("another-login", client),
    "no-nonce": lambda s, nonce, client: s.signer.mint_id_token(Principal(subject="citizen-1"), client),
    "no-id-token": lambda s, nonce, client: "",
    "another-client": lambda s, nonce, client: s.valid_id_token(nonce, "someone-elses-client"),
    "another-issuer": lambda s, nonce, client: BuiltinIssuer(
        s.signer.key_path.with_name("other.pem"), "http://other.test/realms/ywtb"
    ).mint_id_token(Principal(subject="citizen-1"), client, nonce=nonce),
    "not-signed-by-the-issuer": lambda s, nonce, client: _unsigned(
        {"iss": ISSUER, "aud": client, "sub": "citizen-1", "nonce": nonce, "iat": 1, "exp": 4102444800}
    ),
    "an-access-token": lambda s, nonce, client: s.signer.mint(
        Principal(subject="citizen-1"), client_id=client
    ),
}


@pytest.mark.parametrize("forge", list(FORGED_ID_TOKENS.values()), ids=list(FORGED_ID_TOKENS))
def test_an_id_token_not_made_for_this_login_is_refused(
    client: TestClient, stand: Stand, store: LocalSessionStore, forge: Callable[[Stand, str, str], str]
) -> None:
    stand.id_token = lambda nonce, client_id: forge(stand, nonce, client_id)
    reply = log_in(client, stand)
    assert reply.status_code == 400
    assert "登录请求已失效" in reply.text
    assert signed_in(store, client) == {}
    assert stand.gateway_calls == []  # the access token is not even used


def test_a_citizen_is_refused_at_the_staff_login_and_from_the_staff_areas(
    client: TestClient, stand: Stand, store: LocalSessionStore
) -> None:
    refused = log_in(client, stand, area="staff", next_url="/workbench/")
    assert refused.status_code == 403
    assert "仅供工作人员使用" in refused.text
    assert "staff" not in signed_in(store, client)
    assert log_in(client, stand).status_code == 303  # the same account as a citizen
    for path in ("/workbench/", "/admin/"):
        reply = client.get(path)
        assert reply.status_code == 303, path
        assert reply.headers["location"].startswith("/login?area=staff"), path
    stand.me = CLERK
    assert log_in(client, stand, area="staff", next_url="/workbench/").status_code == 303
    assert signed_in(store, client)["staff"]["me"]["roles"] == ["window_clerk"]


def test_a_signed_in_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, stand: Stand, store: LocalSessionStore
) -> None:
    assert log_in(client, stand).status_code == 303
    stand.gateway_calls.clear()
    for path, form in (
        (f"/cases/{CASE_NO}/supplement", {"note": "补正"}),
        ("/logout", {"area": "citizen"}),
    ):
        for csrf in ("forged", None):
            data = form if csrf is None else {**form, "csrf": csrf}
            reply = client.post(path, data=data)
            assert reply.status_code == 403, (path, csrf)
            assert "页面已过期" in reply.text
    assert stand.gateway_calls == []
    assert "citizen" in signed_in(store, client)
    token = store.load(client.cookies[COOKIE])["csrf"]  # type: ignore[index]
    assert client.post("/logout", data={"area": "citizen", "csrf": token}).status_code == 303
    assert "citizen" not in signed_in(store, client)
