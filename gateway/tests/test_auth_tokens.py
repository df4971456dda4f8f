"""Bearer token validation at the gateway: attacks rejected without detail, JWKS caching, rotation, timeouts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ywtb.common.auth.jwks import JwksClient, StaticKeySource
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.tokens import TokenValidator, principal_from_claims
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated, Unavailable
from ywtb.gateway.app import create_app
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.config import GatewaySettings

SIGNING_KEY = "local-dev-only-gateway-key"
STRONG_KEY = "Zq8v1Jx4Lm2Pn7Rt5Wy9Ab3Cd6Ef0Gh"  # accepted outside embedded mode
ISSUER = "http://127.0.0.1:18080/realms/ywtb"
AUDIENCE = "ywtb-gateway"
DEPT = "11510104MB1234562X"
# Words that would tell an attacker why a token failed; none may appear in a 401 body.
LEAK_WORDS = ("expired", "signature", "audience", "issuer", "kid", "alg", "none", "hs256", "decode", "jwt")


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = _new_key()
OTHER_KEY = _new_key()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def _jwks(*pairs: tuple[rsa.RSAPrivateKey, str]) -> dict[str, Any]:
    # Keycloak also publishes an encryption key; it must be ignored, not break parsing.
    enc = {**_jwk(OTHER_KEY, "enc-key"), "use": "enc", "alg": "RSA-OAEP"}
    return {"keys": [_jwk(k, kid) for k, kid in pairs] + [enc]}


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "0f4a8a52-3c1e-4a55-9f0e-7f6ce1d0a001",
        "iat": now,
        "exp": now + 300,
        "typ": "Bearer",
        "azp": "workbench",
        "tenant": "510104",
        "dept": DEPT,
        "roles": ["window_clerk", "default-roles-ywtb", "offline_access"],
        "real_name_level": 3,
        "subject_type": "staff",
        "name": "张三",
        "preferred_username": "zhangsan",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), key, algorithm="RS256", headers={"kid": kid})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def _alg_none_token() -> str:
    return _unsigned({"alg": "none", "typ": "JWT", "kid": "k1"}, _claims()) + "."


def _hs256_with_public_key_token() -> str:
    """Algorithm confusion: HMAC 'signed' with the server's public key PEM as the secret."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": "k1"}, _claims(roles=["platform_admin"]))
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(mac)


def _tampered_token() -> str:
    header, _, signature = _token().split(".")
    forged = _b64(json.dumps(_claims(roles=["platform_admin"], tenant="440100")).encode())
    return f"{header}.{forged}.{signature}"


def _settings(**overrides: Any) -> GatewaySettings:
    return GatewaySettings(internal_signing_key=SIGNING_KEY, **overrides)


def _app(validator: TokenValidator, tmp_path: Any) -> FastAPI:
    app = create_app(_settings(data_dir=tmp_path), token_validator=validator)

    async def whoami_async(principal: CurrentPrincipal) -> dict[str, Any]:
        bound = current_principal.get()
        return {"bound": bound.subject if bound else None, "same": bound == principal}

    def whoami_sync(principal: CurrentPrincipal) -> dict[str, Any]:  # runs in the threadpool
        bound = current_principal.get()
        return {"bound": bound.subject if bound else None, "same": bound == principal}

    async def maybe(principal: OptionalPrincipal) -> dict[str, Any]:
        return {"subject": principal.subject if principal else None}

    app.add_api_route("/test/whoami-async", whoami_async)
    app.add_api_route("/test/whoami-sync", whoami_sync)
    app.add_api_route("/test/maybe", maybe)
    return app


@pytest.fixture
def client(tmp_path: Any) -> TestClient:
    validator = TokenValidator(ISSUER, AUDIENCE, StaticKeySource(_jwks((KEY, "k1"))))
    return TestClient(_app(validator, tmp_path))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_good_token_me(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers=_bearer(_token()))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "subject": "0f4a8a52-3c1e-4a55-9f0e-7f6ce1d0a001",
        "tenant": "510104",
        "roles": ["window_clerk"],  # Keycloak's default roles are not ywtb roles
        "dept": DEPT,
        "name": "张三",
        "real_name_level": 3,
        "subject_type": "staff",
    }


def test_a_token_seen_again_is_not_validated_again_but_a_bad_one_always_is(tmp_path: Any) -> None:
    validator = TokenValidator(ISSUER, AUDIENCE, StaticKeySource(_jwks((KEY, "k1"))))
    calls: list[str] = []
    original = validator.validate
    validator.validate = lambda token: calls.append(token) or original(token)  # type: ignore[method-assign]
    client = TestClient(_app(validator, tmp_path))
    good, bad = _token(), _tampered_token()
    assert [client.get("/api/v1/me", headers=_bearer(good)).status_code for _ in range(3)] == [200] * 3
    assert [client.get("/api/v1/me", headers=_bearer(bad)).status_code for _ in range(3)] == [401] * 3
    assert calls == [good, bad, bad, bad]


ATTACKS = {
    "alg_none": _alg_none_token,
    "hs256_public_key_as_secret": _hs256_with_public_key_token,
    "wrong_issuer": lambda: _token(iss="http://127.0.0.1:18080/realms/master"),
    "wrong_audience": lambda: _token(aud="account"),
    "expired": lambda: _token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "not_yet_valid": lambda: _token(nbf=int(time.time()) + 3600),
    "issued_in_future": lambda: _token(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200),
    "tampered_payload": _tampered_token,
    "signed_by_another_key_same_kid": lambda: _token(key=OTHER_KEY),
    "unknown_kid": lambda: _token(key=OTHER_KEY, kid="attacker-key"),
    "no_kid": lambda: jwt.encode(_claims(), KEY, algorithm="RS256"),
    "enc_key_kid": lambda: _token(key=OTHER_KEY, kid="enc-key"),
    "missing_exp": lambda: _token(exp=None),
    "missing_iat": lambda: _token(iat=None),
    "missing_sub": lambda: _token(sub=None),
    "refresh_token_type": lambda: _token(typ="Refresh"),
    "rs384_not_allowed": lambda: jwt.encode(_claims(), KEY, algorithm="RS384", headers={"kid": "k1"}),
    "garbage": lambda: "garbage",
    "garbage_three_parts": lambda: "a.b.c",
    "oversized": lambda: "a" * 20_000,
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_token_attack_rejected_without_detail(
    client: TestClient, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ywtb.common.auth.tokens"):
        response = client.get("/api/v1/me", headers=_bearer(ATTACKS[attack]()))
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error == {"code": "UNAUTHENTICATED", "message": Unauthenticated.default_message}
    body = response.text.lower()
    assert not [w for w in LEAK_WORDS if w in body]
    # The reason is not lost: it is in the log, at INFO.
    assert any(r.levelno == logging.INFO and "rejected" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwdw=="}],
    ids=["missing", "empty", "no_token", "basic"],
)
def test_missing_or_non_bearer_authorization(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


def test_principal_bound_for_grpc_calls_in_async_and_sync_routes(client: TestClient) -> None:
    for path in ("/test/whoami-async", "/test/whoami-sync"):
        response = client.get(path, headers=_bearer(_token()))
        assert response.json() == {"bound": "0f4a8a52-3c1e-4a55-9f0e-7f6ce1d0a001", "same": True}
    assert current_principal.get() is None


def test_optional_principal(client: TestClient) -> None:
    assert client.get("/test/maybe").json() == {"subject": None}
    assert client.get("/test/maybe", headers=_bearer(_token())).json()["subject"]
    assert client.get("/test/maybe", headers=_bearer(_tampered_token())).status_code == 401  # not downgraded


def test_forged_service_role_and_unknown_roles_dropped(client: TestClient) -> None:
    token = _token(roles=["service", "platform_admin", "god"])
    assert client.get("/api/v1/me", headers=_bearer(token)).json()["roles"] == ["platform_admin"]


def test_principal_from_keycloak_claims() -> None:
    principal = principal_from_claims(
        {
            "sub": "u1",
            "tenant": "510104",
            "realm_access": {"roles": ["citizen", "uma_authorization"]},
            "real_name_level": "4",
            "subject_type": "person",
            "preferred_username": "lisi",
        }
    )
    assert principal == Principal(
        subject="u1",
        tenant="510104",
        roles=frozenset({"citizen"}),
        subject_type="person",
        real_name_level=4,
        name="lisi",
    )
    assert principal_from_claims({"sub": "u2", "real_name_level": "high"}).real_name_level == 0
    assert principal_from_claims({"sub": "u3", "real_name_level": 9}).real_name_level == 0
    with pytest.raises(Unauthenticated):
        principal_from_claims({"tenant": "510104"})


def test_validator_refuses_symmetric_algorithms() -> None:
    with pytest.raises(ValueError):
        TokenValidator(ISSUER, AUDIENCE, StaticKeySource({"keys": []}), algorithms=("RS256", "HS256"))


# ---------------------------------------------------------------- JWKS client against a local HTTP server


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 that counts requests, and can fail or stall on demand."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.requests = 0
        self.status = 200
        self.delay_s = 0.0
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests += 1
                if server.delay_s:
                    server.release.wait(server.delay_s)
                body = json.dumps(server.jwks).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = (
            f"http://127.0.0.1:{self.httpd.server_address[1]}/realms/ywtb/protocol/openid-connect/certs"
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer(_jwks((KEY, "k1")))
    yield server
    server.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _validator(client: JwksClient) -> TokenValidator:
    return TokenValidator(ISSUER, AUDIENCE, client)


def test_jwks_fetched_once_for_many_validations(jwks_server: JwksServer) -> None:
    validator = _validator(JwksClient(jwks_server.url))
    for _ in range(25):
        assert validator.validate(_token())["tenant"] == "510104"
    assert jwks_server.requests == 1


def test_jwks_shared_fetch_under_concurrency(jwks_server: JwksServer) -> None:
    jwks_server.delay_s = 0.2
    validator = _validator(JwksClient(jwks_server.url))
    token = _token()
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(validator.validate(token))) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(results) == 10
    assert jwks_server.requests == 1


def test_jwks_refreshed_after_ttl(jwks_server: JwksServer) -> None:
    clock = FakeClock()
    validator = _validator(JwksClient(jwks_server.url, cache_ttl_s=600, clock=clock))
    validator.validate(_token())
    clock.now += 599
    validator.validate(_token())
    assert jwks_server.requests == 1
    clock.now += 2
    validator.validate(_token())
    assert jwks_server.requests == 2


def test_key_rotation_followed_but_unknown_kids_rate_limited(jwks_server: JwksServer) -> None:
    clock = FakeClock()
    client = JwksClient(jwks_server.url, min_refresh_interval_s=30, clock=clock)
    validator = _validator(client)
    validator.validate(_token())
    assert jwks_server.requests == 1

    # The provider rotates: the new key is found by one refresh on its unknown kid.
    jwks_server.jwks = _jwks((OTHER_KEY, "k2"), (KEY, "k1"))
    clock.now += 31
    assert validator.validate(_token(key=OTHER_KEY, kid="k2"))["sub"]
    assert jwks_server.requests == 2

    # Random kids within the interval cause no further fetch.
    for i in range(20):
        with pytest.raises(Unauthenticated):
            validator.validate(_token(key=OTHER_KEY, kid=f"random-{i}"))
    assert jwks_server.requests == 2

    # After the interval, an unknown kid may trigger one more refresh, and only one.
    clock.now += 31
    for i in range(5):
        with pytest.raises(Unauthenticated):
            validator.validate(_token(key=OTHER_KEY, kid=f"again-{i}"))
    assert jwks_server.requests == 3


def test_fetch_failure_keeps_cached_keys(jwks_server: JwksServer) -> None:
    clock = FakeClock()
    validator = _validator(JwksClient(jwks_server.url, cache_ttl_s=60, clock=clock))
    validator.validate(_token())
    jwks_server.status = 500
    clock.now += 120
    assert validator.validate(_token())["sub"]  # stale but served
    assert validator.validate(_token())["sub"]
    assert jwks_server.requests == 2  # one failed refresh, not one per request


def test_no_keys_and_provider_down_is_unavailable(jwks_server: JwksServer) -> None:
    jwks_server.status = 503
    validator = _validator(JwksClient(jwks_server.url))
    with pytest.raises(Unavailable):
        validator.validate(_token())


def test_jwks_timeout_is_503_not_a_hang(jwks_server: JwksServer, tmp_path: Any) -> None:
    jwks_server.delay_s = 10
    validator = _validator(JwksClient(jwks_server.url, timeout_s=0.3))
    client = TestClient(_app(validator, tmp_path))
    started = time.monotonic()
    response = client.get("/api/v1/me", headers=_bearer(_token()))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    assert elapsed < 2.0


def test_keycloak_mode_settings_validate_through_jwks(jwks_server: JwksServer, tmp_path: Any) -> None:
    issuer_url = jwks_server.url.removesuffix("/protocol/openid-connect/certs")
    keycloak_url = issuer_url.removesuffix("/realms/ywtb")
    settings = GatewaySettings(
        internal_signing_key=SIGNING_KEY, auth_mode="keycloak", keycloak_url=keycloak_url, data_dir=tmp_path
    )
    assert settings.oidc_issuer == issuer_url
    assert settings.jwks_url == jwks_server.url
    client = TestClient(create_app(settings))
    assert client.get("/api/v1/me", headers=_bearer(_token(iss=issuer_url))).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(_token())).status_code == 401  # iss of another host
    assert client.get("/realms/ywtb/protocol/openid-connect/certs").status_code == 404  # no built-in issuer
    assert jwks_server.requests == 1


def test_auth_mode_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YWTB_KEYCLOAK_URL", raising=False)
    monkeypatch.delenv("YWTB_GATEWAY_KEYCLOAK_URL", raising=False)
    assert _settings().auth_mode == "builtin"
    assert _settings().oidc_issuer == "http://127.0.0.1:8000/realms/ywtb"
    local = GatewaySettings(internal_signing_key=STRONG_KEY, mode="local", keycloak_url="http://kc:8080/")
    assert (local.auth_mode, local.oidc_issuer) == ("keycloak", "http://kc:8080/realms/ywtb")
    assert local.jwks_url == "http://kc:8080/realms/ywtb/protocol/openid-connect/certs"
    with pytest.raises(ValueError, match="auth_mode keycloak"):
        GatewaySettings(internal_signing_key=STRONG_KEY, mode="local")
    with pytest.raises(ValueError, match="built-in issuer"):
        GatewaySettings(internal_signing_key=STRONG_KEY, mode="kubernetes", auth_mode="builtin")
    monkeypatch.setenv("YWTB_KEYCLOAK_URL", "http://127.0.0.1:18080")  # the local stack's variable
    assert GatewaySettings(internal_signing_key=STRONG_KEY, mode="local").oidc_issuer == ISSUER
