"""The SMS wire: its signature, its bodies, the adapter's answer to each kind of failure (a stub gateway in a
thread), the gateway's rules (the simulator's use case in process: idempotency, refusals, the daily limit),
and the isolation of the adapter from web frameworks and of the services from the simulator."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ywtb.common.db import Database
from ywtb.common.signed_http import RESPONSE, MemoryNonceStore, SignatureInvalid, WireError, dumps
from ywtb.common.signed_http.refusals import Refusal
from ywtb.common.sms import HttpSmsPlatform, Sms, SmsRefused, SmsUnavailable
from ywtb.common.sms.templates import INQUIRY_ANSWERED, MOBILE_CODE, placeholders, render
from ywtb.common.sms.wire import (
    SMS_SIGNING,
    ReceivedSms,
    inbox_from_json,
    inbox_to_json,
    sent_from_json,
    sent_to_json,
    sms_from_json,
    sms_to_json,
)
from ywtb.common.sms_simulator.faults import Faults
from ywtb.common.sms_simulator.messages import Messages
from ywtb.common.sms_simulator.tables import Base
from ywtb.common.testing.conformance import free_port
from ywtb.common.testing.imports import SIMULATOR_SIDE, WEB_FRAMEWORKS, assert_not_imported

KEY = "sms-wire-test-key-0123456789abcdef"
REPO = Path(__file__).resolve().parents[3]
COMMON = REPO / "shared" / "common" / "src" / "ywtb" / "common"
CODE = Sms("eval-code-1", "510104", "13800138000", MOBILE_CODE, {"code": "384912", "minutes": "5"})


def test_the_headers_are_x_sms_and_sign_the_documented_formula() -> None:
    body = dumps(sms_to_json(CODE))
    headers = SMS_SIGNING.sign(KEY, "POST", "/v1/messages", body)
    assert set(headers) == {"X-Sms-Timestamp", "X-Sms-Nonce", "X-Sms-Signature"}
    canonical = "\n".join(
        [
            "POST",
            "/v1/messages",
            headers["X-Sms-Timestamp"],
            headers["X-Sms-Nonce"],
            hashlib.sha256(body).hexdigest(),
        ]
    )
    assert (
        headers["X-Sms-Signature"] == hmac.new(KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    )
    nonces = MemoryNonceStore()
    SMS_SIGNING.verify(KEY, "POST", "/v1/messages", body, headers, nonces=nonces)
    with pytest.raises(SignatureInvalid, match="replay"):
        SMS_SIGNING.verify(KEY, "POST", "/v1/messages", body, headers, nonces=nonces)
    with pytest.raises(SignatureInvalid, match="does not verify"):
        SMS_SIGNING.verify(KEY, "POST", "/v1/messages", body.replace(b"384912", b"000000"), headers)


def test_a_short_key_is_refused_naming_the_sms_platform() -> None:
    with pytest.raises(ValueError, match="the SMS platform key must have at least 16 bytes"):
        HttpSmsPlatform("http://127.0.0.1:1", "short")


def test_a_message_goes_both_ways_and_the_wrong_shape_is_refused() -> None:
    body = sms_to_json(CODE)
    assert body == {
        "message_no": "eval-code-1",
        "tenant": "510104",
        "mobile": "13800138000",
        "template": "YWTB_MOBILE_CODE",
        "params": {"code": "384912", "minutes": "5"},
    }
    assert sms_from_json(json.loads(dumps(body))) == CODE
    for broken in (
        {**body, "params": {"code": 384912, "minutes": "5"}},
        {**body, "params": ["384912"]},
        {**body, "mobile": 13800138000},
        {k: v for k, v in body.items() if k != "message_no"},
    ):
        with pytest.raises(WireError):
            sms_from_json(broken)


def test_the_answer_must_name_the_message_it_answers() -> None:
    assert sent_from_json(sent_to_json("eval-code-1", "SM1"), "eval-code-1") == "SM1"
    with pytest.raises(WireError, match="instead of"):
        sent_from_json(sent_to_json("eval-code-2", "SM1"), "eval-code-1")
    for broken in (
        {"message_no": "eval-code-1", "message_id": "", "status": "sent"},
        {"message_no": "eval-code-1", "message_id": "S" * 65, "status": "sent"},
        {"message_no": "eval-code-1", "message_id": "SM1"},
    ):
        with pytest.raises(WireError):
            sent_from_json(broken, "eval-code-1")


def test_an_inbox_goes_both_ways_and_must_be_of_the_number_asked() -> None:
    received = ReceivedSms(
        "SM1",
        "eval-code-1",
        "510104",
        MOBILE_CODE,
        {"code": "1"},
        "【一网通办】…",
        datetime(2026, 9, 30, tzinfo=UTC),
    )
    body = json.loads(dumps(inbox_to_json("13800138000", 3, [received])))
    assert body["messages"][0]["sent_at"] == "2026-09-30T08:00:00+08:00"
    assert inbox_from_json(body, "13800138000") == (3, [received])
    with pytest.raises(WireError, match="another number"):
        inbox_from_json(body, "13900139000")


def test_the_templates_render_with_the_signature() -> None:
    assert placeholders(MOBILE_CODE) == {"code", "minutes"}
    assert placeholders(INQUIRY_ANSWERED) == {"kind", "title", "ref"}
    assert render(MOBILE_CODE, CODE.params) == "【一网通办】您的验证码为384912，5分钟内有效，请勿告知他人。"
    assert render(INQUIRY_ANSWERED, {"kind": "咨询", "title": "社保转移", "ref": "Q7K2"}) == (
        "【一网通办】您的咨询「社保转移」已答复，查询码 Q7K2，请登录一网通办门户或凭查询码查看。"
    )


# -- The adapter against a stub gateway: each answer it can get.


class _Stub(ThreadingHTTPServer):
    answer: tuple[int, dict[str, Any], bool]  # status, body, signed with our key
    requests: list[tuple[str, dict[str, Any]]]


class _Handler(BaseHTTPRequestHandler):
    server: _Stub

    def do_POST(self) -> None:  # noqa: N802  # the stdlib's name
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        SMS_SIGNING.verify(KEY, "POST", self.path, raw, dict(self.headers))
        self.server.requests.append((self.path, json.loads(raw)))
        status, body, signed = self.server.answer
        content = dumps(body)
        key = KEY if signed else "not-the-shared-key-0123456789"
        self.send_response(status)
        for name, value in SMS_SIGNING.sign(key, RESPONSE, self.path, content).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def stub() -> Iterator[_Stub]:
    server = _Stub(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def platform(stub: _Stub) -> Iterator[HttpSmsPlatform]:
    with HttpSmsPlatform(f"http://127.0.0.1:{stub.server_address[1]}", KEY, timeout_s=5) as p:
        yield p


def test_a_sent_message_answers_its_id(stub: _Stub, platform: HttpSmsPlatform) -> None:
    stub.answer = (201, sent_to_json(CODE.message_no, "SM0001"), True)
    assert platform.send(CODE) == "SM0001"
    assert stub.requests[-1] == ("/v1/messages", sms_to_json(CODE))
    stub.answer = (200, sent_to_json(CODE.message_no, "SM0001"), True)  # sent already
    assert platform.send(CODE) == "SM0001"


@pytest.mark.parametrize(
    ("status", "code"), [(400, "TEMPLATE_UNKNOWN"), (409, "MESSAGE_CONFLICT"), (429, "SMS_DAILY_LIMIT")]
)
def test_a_4xx_is_refused_with_the_gateways_code_and_message(
    stub: _Stub, platform: HttpSmsPlatform, status: int, code: str
) -> None:
    stub.answer = (status, {"code": code, "message": "该号码今日已达当日上限。"}, True)
    with pytest.raises(SmsRefused) as refused:
        platform.send(CODE)
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        status,
        code,
        "该号码今日已达当日上限。",
    )


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        ((503, {"code": "UNAVAILABLE", "message": "维护中"}, True), "answered 503"),
        ((500, {}, False), "answered 500"),
        ((401, {"code": "BAD_SIGNATURE", "message": "签名校验失败"}, True), "refused our signature"),
        ((201, sent_to_json(CODE.message_no, "SM0001"), False), "not signed by the platform"),
        ((201, sent_to_json("another-message", "SM0001"), True), "instead of"),
        ((201, {"message_no": CODE.message_no}, True), "wrong shape"),
    ],
)
def test_what_cannot_be_trusted_is_unavailable_with_a_chinese_message(
    stub: _Stub, platform: HttpSmsPlatform, answer: tuple[int, dict[str, Any], bool], detail: str
) -> None:
    stub.answer = answer
    with pytest.raises(SmsUnavailable, match=detail) as unavailable:
        platform.send(CODE)
    assert unavailable.value.message == "短信平台暂时无法访问，请稍后重试。"
    assert unavailable.value.code == "UNAVAILABLE"


def test_no_gateway_is_unavailable() -> None:
    nobody = HttpSmsPlatform(f"http://127.0.0.1:{free_port()}", KEY, timeout_s=1)
    with nobody, pytest.raises(SmsUnavailable, match="ConnectError"):
        nobody.send(CODE)


# -- The gateway's rules: the simulator's use case in process, on a clock of its own.


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[Messages, Faults, _Clock]]:
    db = Database(f"sqlite:///{tmp_path / 'sms.db'}")
    Base.metadata.create_all(db.engine)
    faults, clock = Faults(), _Clock(datetime(2026, 9, 30, 15, 0, tzinfo=UTC))  # 23:00 Beijing
    try:
        yield Messages(db, faults, daily_limit=3, clock=clock), faults, clock
    finally:
        db.dispose()


def test_the_same_message_no_is_sent_once_and_another_message_under_it_refused(
    gateway: tuple[Messages, Faults, _Clock],
) -> None:
    messages, _, _ = gateway
    message_id, created = messages.send(CODE)
    assert created and message_id.startswith("SM")
    assert messages.send(replace(CODE, params=dict(CODE.params))) == (message_id, False)
    total, inbox = messages.inbox(CODE.mobile)
    assert total == 1 and inbox[0].text == render(MOBILE_CODE, CODE.params)
    for other in (
        {"mobile": "13900139000"},
        {"params": {"code": "000000", "minutes": "5"}},
        {"tenant": "510105"},
    ):
        with pytest.raises(Refusal) as refused:
            messages.send(replace(CODE, **other))
        assert (refused.value.status, refused.value.code) == (409, "MESSAGE_CONFLICT")
    assert messages.inbox(CODE.mobile)[0] == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"message_no": "has space"}, "MESSAGE_NO_INVALID"),
        ({"tenant": "5101"}, "TENANT_INVALID"),
        ({"mobile": "12800138000"}, "MOBILE_INVALID"),
        ({"mobile": "+8613800138000"}, "MOBILE_INVALID"),
        ({"template": "SMS_123456"}, "TEMPLATE_UNKNOWN"),
        ({"params": {"code": "384912"}}, "PARAMS_MISSING"),
        ({"params": {"code": "384912", "minutes": "5", "name": "张三"}}, "PARAMS_UNKNOWN"),
        ({"params": {"code": "", "minutes": "5"}}, "PARAM_INVALID"),
        ({"params": {"code": "1" * 51, "minutes": "5"}}, "PARAM_INVALID"),
    ],
)
def test_a_message_breaking_the_gateways_rules_is_refused_and_not_sent(
    gateway: tuple[Messages, Faults, _Clock], change: dict[str, Any], code: str
) -> None:
    messages, _, _ = gateway
    with pytest.raises(Refusal) as refused:
        messages.send(replace(CODE, **change))
    assert (refused.value.status, refused.value.code) == (400, code)
    assert messages.inbox(CODE.mobile)[0] == 0


def test_a_number_gets_its_daily_limit_then_429_until_the_next_beijing_day(
    gateway: tuple[Messages, Faults, _Clock],
) -> None:
    messages, _, clock = gateway
    sent = [messages.send(replace(CODE, message_no=f"m-{i}"))[0] for i in range(3)]
    with pytest.raises(Refusal) as refused:
        messages.send(replace(CODE, message_no="m-3"))
    assert (refused.value.status, refused.value.code) == (429, "SMS_DAILY_LIMIT")
    assert "3 条" in refused.value.message
    assert messages.send(replace(CODE, message_no="m-0")) == (sent[0], False)  # resend: not counted
    messages.send(replace(CODE, message_no="other", mobile="13900139000"))  # per number
    clock.moment += timedelta(minutes=59)  # 23:59 Beijing: still the same day
    with pytest.raises(Refusal):
        messages.send(replace(CODE, message_no="m-3"))
    clock.moment += timedelta(minutes=1)  # midnight in Beijing (16:00 UTC)
    assert messages.send(replace(CODE, message_no="m-3"))[1]
    assert messages.inbox(CODE.mobile)[0] == 4


def test_fail_sends_nothing_lose_sends_but_answers_an_error(gateway: tuple[Messages, Faults, _Clock]) -> None:
    messages, faults, _ = gateway
    faults.update({"fail_next": 1, "lose_next": 1})
    with pytest.raises(Refusal) as failed:
        messages.send(CODE)
    assert (failed.value.status, messages.inbox(CODE.mobile)[0]) == (500, 0)
    with pytest.raises(Refusal) as lost:
        messages.send(CODE)
    assert (lost.value.status, messages.inbox(CODE.mobile)[0]) == (504, 1)
    message_id, created = messages.send(CODE)  # the sender's retry
    assert not created and messages.inbox(CODE.mobile)[1][0].message_id == message_id
    for wrong in ({"down": "yes"}, {"fail_next": -1}, {"lose_next": True}):
        with pytest.raises(Refusal, match="BAD_REQUEST"):
            faults.update(wrong)


# -- Isolation.


def test_the_adapter_imports_no_web_framework_and_no_service_imports_the_simulator() -> None:
    adapter = list((COMMON / "sms").rglob("*.py"))
    assert len(adapter) >= 5
    assert_not_imported(adapter, WEB_FRAMEWORKS | SIMULATOR_SIDE | {"ywtb.common.sms_simulator"})
    platform_files = [
        path
        for root in (*REPO.glob("services/*/src"), REPO / "gateway" / "src", COMMON)
        for path in root.rglob("*.py")
        if "sms_simulator" not in path.parts and "testing" not in path.parts
    ]
    assert assert_not_imported(platform_files, {"ywtb.common.sms_simulator"}) > 100
