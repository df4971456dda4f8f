"""The built-in issuer (embedded default): authorization code + PKCE login through the identity service."""

from __future__ import annotations

import re
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient

from ywtb.api.common.v1 import common_pb2
from ywtb.api.identity.v1 import identity_pb2, identity_pb2_grpc
from ywtb.common.auth.issuer import BuiltinIssuer
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, build_server, server_port
from ywtb.common.tenancy import SERVICE
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings
from ywtb.gateway.oidc import CodeStore, parse_redirect_pattern, redirect_allowed, s256

SIGNING_KEY = "local-dev-only-gateway-key"
OIDC = "/realms/ywtb/protocol/openid-connect"
REDIRECT = "http://127.0.0.1:5173/workbench/callback"
DEPT = "11510104MB1234562X"
CLERK = common_pb2.Principal(
    subject="staff-0001",
    tenant="510104",
    roles=["window_clerk"],
    dept=DEPT,
    subject_type="staff",
    real_name_level=3,
    name="王窗口",
)


class FakeIdentity(identity_pb2_grpc.IdentityServiceServicer):
    """A test double of the identity service: one account, and a record of who called."""

    def __init__(self) -> None:
        self.callers: list[Principal | None] = []

    @allow(SERVICE)  # as the real AuthenticatePassword
    def AuthenticatePassword(self, request: Any, context: Any) -> Any:  # noqa: N802
        self.callers.append(current_principal.get())
        if request.username != "clerk01" or request.password != "Clerk#2024":
            raise Unauthenticated("用户名或密码错误，请重新输入。", code="BAD_CREDENTIALS")
        return identity_pb2.AuthenticatePasswordResponse(principal=CLERK)


@pytest.fixture(scope="module")
def identity() -> Iterator[tuple[FakeIdentity, int]]:
    fake = FakeIdentity()
    server = build_server(
        [(identity_pb2_grpc.add_IdentityServiceServicer_to_server, fake)],
        port=0,
        host="127.0.0.1",
        signing_key=SIGNING_KEY.encode(),
        service_name="ywtb-identity",
    )
    server.start()
    yield fake, server_port(server)
    server.stop(0)


@pytest.fixture
def settings(identity: tuple[FakeIdentity, int], tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(
        internal_signing_key=SIGNING_KEY, data_dir=tmp_path, identity_target=f"127.0.0.1:{identity[1]}"
    )


@pytest.fixture
def client(settings: GatewaySettings) -> TestClient:
    return TestClient(create_app(settings), follow_redirects=False)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def _auth_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "client_id": "workbench",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "st-8b1f",
        "nonce": "n-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


def _hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page))


def _login(client: TestClient, challenge: str, password: str = "Clerk#2024", **overrides: str) -> Any:
    form = client.get(f"{OIDC}/auth", params=_auth_params(challenge, **overrides))
    assert form.status_code == 200, form.text
    fields = _hidden_fields(form.text)
    return client.post(f"{OIDC}/auth", data={**fields, "username": "clerk01", "password": password})


def _code(response: Any) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st-8b1f"]
    return query["code"][0]


def _exchange(client: TestClient, code: str, verifier: str, **overrides: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "workbench",
        "code_verifier": verifier,
    }
    data.update(overrides)
    return client.post(f"{OIDC}/token", data=data)


def _refused(response: Any, status: int, error: str, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert message in body["error_description"]
    assert "access_token" not in body


def test_login_form_is_chinese_with_labels_and_keeps_the_request(client: TestClient) -> None:
    _, challenge = _pkce()
    response = client.get(f"{OIDC}/auth", params=_auth_params(challenge))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<label for="username">用户名</label>' in page and '<label for="password">密码</label>' in page
    assert 'id="username"' in page and 'id="password"' in page
    assert _hidden_fields(page) == {
        "client_id": "workbench",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "st-8b1f",
        "nonce": "n-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    assert response.headers["X-Frame-Options"] == "DENY"


def test_auth_code_pkce_flow_end_to_end(client: TestClient, identity: tuple[FakeIdentity, int]) -> None:
    fake, _ = identity
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    # The identity service was called as the gateway's service principal, signed with the internal key.
    assert fake.callers[-1] == Principal(
        subject="gateway", roles=frozenset({"service"}), subject_type="service"
    )

    response = _exchange(client, code, verifier)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 1800
    id_claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert (id_claims["aud"], id_claims["nonce"]) == ("workbench", "n-42")

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json() == {
        "subject": "staff-0001",
        "tenant": "510104",
        "roles": ["window_clerk"],
        "dept": DEPT,
        "name": "王窗口",
        "real_name_level": 3,
        "subject_type": "staff",
    }
    # The ID token is not an access token.
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['id_token']}"}).status_code == 401
    )


def test_access_token_has_keycloak_claims(client: TestClient, settings: GatewaySettings) -> None:
    verifier, challenge = _pkce()
    tokens = _exchange(client, _code(_login(client, challenge)), verifier).json()
    header = jwt.get_unverified_header(tokens["access_token"])
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == settings.oidc_issuer == "http://127.0.0.1:8000/realms/ywtb"
    assert claims["aud"] == "ywtb-gateway"
    assert claims["typ"] == "Bearer" and claims["azp"] == "workbench"
    assert claims["preferred_username"] == "clerk01"
    assert claims["exp"] - claims["iat"] == 1800
    for name in ("sub", "tenant", "dept", "roles", "real_name_level", "subject_type", "name"):
        assert name in claims


def test_wrong_verifier_refused_and_code_burnt(client: TestClient) -> None:
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    other, _ = _pkce()
    _refused(_exchange(client, code, other), 400, "invalid_grant", "PKCE 校验失败")
    _refused(_exchange(client, code, verifier), 400, "invalid_grant", "授权码无效、已使用或已过期")


def test_reused_code_refused(client: TestClient) -> None:
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    assert _exchange(client, code, verifier).status_code == 200
    _refused(_exchange(client, code, verifier), 400, "invalid_grant", "授权码无效、已使用或已过期")


def test_expired_code_refused(client: TestClient) -> None:
    clock = [1000.0]
    client.app.state.oidc.codes = CodeStore(clock=lambda: clock[0])  # type: ignore[attr-defined]
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    clock[0] += 61
    _refused(_exchange(client, code, verifier), 400, "invalid_grant", "授权码无效、已使用或已过期")


def test_code_bound_to_client_and_redirect_uri(client: TestClient) -> None:
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    _refused(
        _exchange(client, code, verifier, redirect_uri="http://127.0.0.1:5173/other"),
        400,
        "invalid_grant",
        "授权码与应用或回调地址不符",
    )
    verifier, challenge = _pkce()
    code = _code(_login(client, challenge))
    _refused(_exchange(client, code, verifier, client_id="portal"), 400, "invalid_grant", "授权码与应用")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback",
        "http://127.0.0.1.evil.example.com/cb",
        "http://127.0.0.1:5173@evil.example.com/cb",
        "https://127.0.0.1:5173/cb",
        "javascript:alert(1)",
        "",
    ],
)
def test_foreign_redirect_uri_refused_without_redirect(client: TestClient, redirect_uri: str) -> None:
    _, challenge = _pkce()
    response = client.get(f"{OIDC}/auth", params=_auth_params(challenge, redirect_uri=redirect_uri))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "回调地址（redirect_uri）不在允许范围内" in response.text
    assert "<form" not in response.text


def test_tampered_hidden_redirect_uri_refused_on_post(client: TestClient) -> None:
    _, challenge = _pkce()
    fields = _hidden_fields(client.get(f"{OIDC}/auth", params=_auth_params(challenge)).text)
    fields["redirect_uri"] = "https://evil.example.com/cb"
    response = client.post(f"{OIDC}/auth", data={**fields, "username": "clerk01", "password": "Clerk#2024"})
    assert response.status_code == 400 and "location" not in response.headers
    assert "回调地址" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code_challenge": ""}, "PKCE"),
        ({"code_challenge_method": "plain"}, "PKCE"),
        ({"code_challenge_method": ""}, "PKCE"),
        ({"response_type": "token"}, "response_type=code"),
        ({"client_id": "unknown-app"}, "未知的应用"),
    ],
)
def test_incomplete_authorization_request_refused(
    client: TestClient, overrides: dict[str, str], message: str
) -> None:
    _, challenge = _pkce()
    response = client.get(f"{OIDC}/auth", params=_auth_params(challenge, **overrides))
    assert response.status_code == 400
    assert message in response.text and "<form" not in response.text


def test_wrong_password_rerenders_form_with_username(client: TestClient) -> None:
    _, challenge = _pkce()
    response = _login(client, challenge, password="wrong-password")
    assert response.status_code == 401
    assert "location" not in response.headers
    assert "用户名或密码错误，请重新输入。" in response.text
    assert 'name="username" value="clerk01"' in response.text
    assert "wrong-password" not in response.text
    assert _hidden_fields(response.text)["code_challenge"] == challenge


def test_repeated_failures_lock_the_username(client: TestClient) -> None:
    _, challenge = _pkce()
    for _ in range(5):
        assert _login(client, challenge, password="guess").status_code == 401
    locked = _login(client, challenge)  # even the right password, for now
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text


def test_identity_service_down_is_a_chinese_503(settings: GatewaySettings) -> None:
    down = settings.model_copy(update={"identity_target": "127.0.0.1:1"})
    client = TestClient(create_app(down), follow_redirects=False)
    _, challenge = _pkce()
    started = time.monotonic()
    response = _login(client, challenge)
    assert response.status_code == 503
    assert "统一身份认证服务暂时不可用" in response.text
    assert time.monotonic() - started < 5


def test_password_grant(client: TestClient) -> None:
    data = {"grant_type": "password", "client_id": "portal", "username": "clerk01"}
    response = client.post(f"{OIDC}/token", data={**data, "password": "Clerk#2024"})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["tenant"] == "510104"
    _refused(
        client.post(f"{OIDC}/token", data={**data, "password": "nope"}),
        400,
        "invalid_grant",
        "用户名或密码错误",
    )


def test_token_endpoint_refusals(client: TestClient) -> None:
    _refused(
        client.post(f"{OIDC}/token", data={"grant_type": "client_credentials", "client_id": "portal"}),
        400,
        "unsupported_grant_type",
        "不支持的授权类型",
    )
    _refused(
        client.post(f"{OIDC}/token", data={"grant_type": "authorization_code", "client_id": "evil"}),
        401,
        "invalid_client",
        "未知的应用",
    )
    _refused(
        client.post(f"{OIDC}/token", json={"grant_type": "password", "client_id": "portal"}),
        400,
        "invalid_request",
        "请求格式不正确",
    )


def test_discovery_and_certs(client: TestClient, settings: GatewaySettings) -> None:
    discovery = client.get("/realms/ywtb/.well-known/openid-configuration").json()
    issuer = settings.oidc_issuer
    assert discovery["issuer"] == issuer
    assert discovery["token_endpoint"] == issuer + "/protocol/openid-connect/token"
    assert discovery["authorization_endpoint"] == issuer + "/protocol/openid-connect/auth"
    assert discovery["jwks_uri"] == issuer + "/protocol/openid-connect/certs"
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    [key] = client.get(f"{OIDC}/certs").json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key and "p" not in key  # public part only


def test_issuer_key_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "issuer-key.pem"
    first = BuiltinIssuer(path, "http://127.0.0.1:8000/realms/ywtb")
    token = first.mint(Principal(subject="u1", roles=frozenset({"citizen", "service"})))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = BuiltinIssuer(path, "http://127.0.0.1:8000/realms/ywtb")
    assert second.kid == first.kid
    claims = second.validator().validate(token)  # a restart keeps accepting earlier tokens
    assert claims["roles"] == ["citizen"]  # "service" never goes into a token
    other = BuiltinIssuer(tmp_path / "other.pem", "http://127.0.0.1:8000/realms/ywtb")
    with pytest.raises(Unauthenticated):
        other.validator().validate(token)


def test_redirect_patterns() -> None:
    patterns = [parse_redirect_pattern(p) for p in ("http://127.0.0.1:*/", "https://portal.gov.cn/cb")]
    assert redirect_allowed("http://127.0.0.1:5173/any/path?x=1", patterns)
    assert redirect_allowed("http://127.0.0.1/", patterns)
    assert redirect_allowed("https://portal.gov.cn/cb/done", patterns)
    assert not redirect_allowed("https://portal.gov.cn/other", patterns)
    assert not redirect_allowed("https://portal.gov.cn/cbevil", patterns)
    assert not redirect_allowed("http://127.0.0.1:5173/cb#frag", patterns)
    assert not redirect_allowed("http://localhost:5173/cb", patterns)
    with pytest.raises(ValueError):
        parse_redirect_pattern("127.0.0.1:*")
