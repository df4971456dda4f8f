"""Login, logout and language routes of the portal, and what every page carries (no gateway needed)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.routes.auth import safe_next
from ywtb.portal.session import LocalSessionStore


@pytest.fixture
def client() -> TestClient:
    settings = PortalSettings(gateway_url="http://127.0.0.1:9", public_url="http://portal.test")
    return TestClient(create_app(settings, store=LocalSessionStore()), follow_redirects=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/cases?x=1", "/cases?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_local_paths_are_followed_after_login(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_login_sends_the_browser_to_the_issuer_with_pkce(client: TestClient) -> None:
    reply = client.get("/login", params={"area": "staff", "next": "/workbench/queue"})
    assert reply.status_code == 302
    target = urlsplit(reply.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert target.path == "/realms/ywtb/protocol/openid-connect/auth"
    assert query["client_id"] == "workbench"
    assert query["redirect_uri"] == "http://portal.test/auth/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"] and query["response_type"] == "code"
    assert query["prompt"] == "login"  # staff always type their password
    assert "ywtb_session" in reply.cookies
    citizen = parse_qs(urlsplit(client.get("/login").headers["location"]).query)
    assert citizen["client_id"] == ["portal"]
    assert "prompt" not in citizen  # citizens keep single sign-on
    assert citizen["state"] != [query["state"]]


def test_a_callback_with_an_unknown_state_is_refused_in_chinese(client: TestClient) -> None:
    reply = client.get("/auth/callback", params={"state": "forged", "code": "abc"})
    assert reply.status_code == 400
    assert "登录请求已失效" in reply.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    reply = client.post("/logout", data={"area": "citizen", "csrf": "wrong"})
    assert reply.status_code == 403
    assert "页面已过期" in reply.text


def test_the_language_switch_keeps_to_this_site(client: TestClient) -> None:
    reply = client.get("/lang", params={"to": "en", "next": "//evil.example"})
    assert reply.status_code == 303 and reply.headers["location"] == "/"
    assert reply.cookies["lang"] == "en"
    client.cookies.set("lang", "en")
    assert "Page not found" in client.get("/no-such-page").text


def test_pages_carry_security_headers_and_unknown_pages_are_404_in_chinese(client: TestClient) -> None:
    reply = client.get("/no-such-page")
    assert reply.status_code == 404
    assert "您访问的页面不存在" in reply.text
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"


def test_readiness_reports_the_session_store(client: TestClient) -> None:
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.json()["checks"] == {"sessions": "ok"}


def test_a_post_over_the_size_limit_is_refused_before_it_is_read() -> None:
    settings = PortalSettings(gateway_url="http://127.0.0.1:9", max_request_bytes=2048)
    client = TestClient(create_app(settings, store=LocalSessionStore()), follow_redirects=False)
    declared = client.post("/logout", data={"area": "citizen", "csrf": "x" * 4096})
    assert declared.status_code == 413
    assert "提交的内容超过" in declared.text

    def chunks():  # no Content-Length: counted as it arrives
        yield b"area=citizen&csrf="
        for _ in range(4):
            yield b"x" * 1024

    streamed = client.post(
        "/logout", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert "提交的内容超过" in streamed.text
