"""Gateway skeleton: health, OpenAPI, request ids, error mapping, validation messages, body limit."""

from __future__ import annotations

import logging
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from ywtb.common.context import current_request_id
from ywtb.common.errors import Internal, NotFound, Unauthenticated
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings

SIGNING_KEY = "local-dev-only-gateway-key"


class Material(BaseModel):
    name: str = Field(min_length=1)


class Application(BaseModel):
    item_code: str = Field(pattern=r"^\d{6}-[A-Z0-9]+$")
    copies: int = Field(ge=1, le=5)
    materials: list[Material]


def _settings(**overrides: object) -> GatewaySettings:
    return GatewaySettings(internal_signing_key=SIGNING_KEY, **overrides)  # type: ignore[arg-type]


def _add_test_routes(app: FastAPI) -> None:
    async def not_found() -> None:
        raise NotFound("未找到该办件，请核对办件编号。", message_en="case not found", code="CASE_NOT_FOUND")

    async def unauthenticated() -> None:
        raise Unauthenticated()

    async def internal() -> None:
        raise Internal("db password is hunter2")

    async def crash() -> None:
        raise RuntimeError("secret detail: dsn=postgresql://admin:hunter2@db")

    async def apply(application: Application) -> dict[str, object]:
        return {"ok": True, "request_id": current_request_id.get()}

    app.add_api_route("/test/not-found", not_found)
    app.add_api_route("/test/unauthenticated", unauthenticated)
    app.add_api_route("/test/internal", internal)
    app.add_api_route("/test/crash", crash)

    async def ignore_body() -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/test/apply", apply, methods=["POST"])
    app.add_api_route("/test/ignore-body", ignore_body, methods=["POST"])

    async def keyed(token: str) -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/test/visits/{token}", keyed)


@pytest.fixture
def client() -> TestClient:
    app = create_app(_settings(max_body_bytes=1024))
    _add_test_routes(app)
    return TestClient(app, raise_server_exceptions=True)


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_all_checks_pass() -> None:
    async def database() -> None:
        return None

    async def event_log() -> bool:
        return True

    response = TestClient(create_app(_settings(), [database, event_log])).get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "event_log": "ok"}}


def test_readyz_names_failing_checks() -> None:
    async def database() -> None:
        return None

    async def kafka() -> None:
        raise ConnectionError("broker down")

    async def redis() -> bool:
        return False

    response = TestClient(create_app(_settings(), [database, kafka, redis])).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["kafka", "redis"]
    assert body["checks"]["database"] == "ok"
    assert "broker down" not in response.text


def test_readyz_check_timeout_fails() -> None:
    import asyncio

    async def slow() -> None:
        await asyncio.sleep(5)

    response = TestClient(create_app(_settings(readiness_timeout_seconds=0.05), [slow])).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["slow"]


def test_openapi_and_docs_served(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ywtb 一网通办 API"
    assert schema["info"]["version"]
    assert client.get("/docs").status_code == 200


def test_request_id_generated_when_absent_or_malformed(client: TestClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert uuid.UUID(generated).version == 4
    malformed = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers[
        "X-Request-ID"
    ]
    assert malformed != "bad id\twith spaces"
    assert uuid.UUID(malformed).version == 4


def test_request_id_echoed_and_bound(client: TestClient) -> None:
    rid = "req-2024-abcdef"
    response = client.post(
        "/test/apply",
        json={"item_code": "330100-XK001", "copies": 1, "materials": [{"name": "营业执照"}]},
        headers={"X-Request-ID": rid},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == rid
    assert response.json()["request_id"] == rid


def test_ywtb_error_mapped_to_its_status_and_body(client: TestClient) -> None:
    response = client.get("/test/not-found", headers={"X-Request-ID": "req-notfound-1"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "CASE_NOT_FOUND",
            "message": "未找到该办件，请核对办件编号。",
            "message_en": "case not found",
        },
        "request_id": "req-notfound-1",
    }
    assert response.headers["X-Request-ID"] == "req-notfound-1"


def test_unauthenticated_asks_for_bearer(client: TestClient) -> None:
    response = client.get("/test/unauthenticated")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_validation_error_has_chinese_field_messages(client: TestClient) -> None:
    response = client.post(
        "/test/apply", json={"item_code": "bad", "copies": 9, "materials": [{"name": ""}, {}]}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "INVALID_ARGUMENT"
    assert error["message"] == "提交的信息有误，请按提示修改后重新提交。"
    assert error["fields"] == {
        "item_code": "格式不正确",
        "copies": "不能大于 5",
        "materials[0].name": "长度不能少于 1 个字符",
        "materials[1].name": "缺少必填项",
    }


def test_invalid_json_body(client: TestClient) -> None:
    response = client.post("/test/apply", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "请求内容不是合法的 JSON" in response.json()["error"]["fields"].values()


def test_unknown_path_in_common_shape(client: TestClient) -> None:
    response = client.get("/no-such-path")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


def test_unexpected_exception_is_500_without_detail(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/test/crash", headers={"X-Request-ID": "req-crash-0001"})
    assert response.status_code == 500
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    assert response.json()["error"]["code"] == "INTERNAL"
    assert response.json()["error"]["message"] == Internal.default_message
    assert response.json()["request_id"] == "req-crash-0001"
    assert response.headers["X-Request-ID"] == "req-crash-0001"
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)


def test_internal_error_message_hidden(client: TestClient) -> None:
    response = client.get("/test/internal")
    assert response.status_code == 500
    assert "hunter2" not in response.text


def test_body_too_large_by_content_length(client: TestClient) -> None:
    response = client.post("/test/apply", content=b"x" * 2048, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "过大" in response.json()["error"]["message"]
    assert response.headers["X-Request-ID"]


def test_declared_length_refused_before_any_route_runs(client: TestClient) -> None:
    response = client.post("/test/ignore-body", content=b"x" * 2048)
    assert response.status_code == 413
    assert client.post("/test/ignore-body", content=b"x" * 512).status_code == 200


def test_body_too_large_when_streamed_without_length(client: TestClient) -> None:
    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(4):
            yield b"x" * 512

    response = client.post("/test/apply", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_access_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ywtb.gateway.access"):
        client.get("/test/not-found", headers={"X-Request-ID": "req-access-01"})
    [record] = [r for r in caplog.records if r.name == "ywtb.gateway.access"]
    assert (record.method, record.path, record.status) == ("GET", "/test/not-found", 404)
    assert record.duration_ms >= 0


def test_the_access_log_never_writes_a_key_in_the_path(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ywtb.gateway.access"):
        client.get("/test/visits/u7Jc2mQx9LwE4rTz8bNf1aKd6sVh3pYo")
    [record] = [r for r in caplog.records if r.name == "ywtb.gateway.access"]
    assert record.path == "/test/visits/***" and "u7Jc2mQx" not in record.getMessage()
