"""The non-tax wire: its signature (a changed byte, an old timestamp or a replay refused), its bodies, its isolation."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ywtb.common.signed_http.nonces import MemoryNonceStore
from ywtb.common.testing.imports import SIMULATOR_SIDE, WEB_FRAMEWORKS, assert_not_imported
from ywtb.payment.nontax.platform import RefundRequest, RefundStatus
from ywtb.payment.nontax.signing import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureInvalid,
    check_key,
    sign,
    signature,
    verify,
)
from ywtb.payment.nontax.wire import (
    WireError,
    dumps,
    format_time,
    loads,
    parse_time,
    payment_from_json,
    refund_request_from_json,
    refund_request_to_json,
    refund_status_from_json,
    refund_status_to_json,
)

KEY = "test-key-0123456789abcdef"
BODY = b'{"notice_no":"51010426073000000017","paid_fen":1500}'
PATH = "/v1/notices"
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ywtb" / "payment"


def test_a_signed_request_verifies_and_matches_the_documented_formula() -> None:
    headers = sign(KEY, "POST", PATH, BODY)
    verify(KEY, "POST", PATH, BODY, headers, nonces=MemoryNonceStore())
    expected = signature(KEY, "POST", PATH, headers[TIMESTAMP_HEADER], headers[NONCE_HEADER], BODY)
    assert headers[SIGNATURE_HEADER] == expected
    # The formula of README.md, computed here independently of the module.
    canonical = "\n".join(
        ["POST", PATH, headers[TIMESTAMP_HEADER], headers[NONCE_HEADER], hashlib.sha256(BODY).hexdigest()]
    )
    assert headers[SIGNATURE_HEADER] == hmac.new(KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in sign(KEY, "GET", PATH, b"").items()}
    verify(KEY, "GET", PATH, b"", headers)


@pytest.mark.parametrize("position", [0, len(BODY) // 2, len(BODY) - 1])
def test_one_changed_byte_of_the_body_is_refused(position: int) -> None:
    headers = sign(KEY, "POST", PATH, BODY)
    forged = BODY[:position] + bytes([BODY[position] ^ 0x01]) + BODY[position + 1 :]
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify(KEY, "POST", PATH, forged, headers)


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("GET", PATH, KEY),
        ("POST", "/v1/notices/x/cancel", KEY),
        ("POST", PATH, KEY + "x"),
        ("RESPONSE", PATH, KEY),
    ],
)
def test_another_method_path_or_key_is_refused(method: str, path: str, key: str) -> None:
    headers = sign(KEY, "POST", PATH, BODY)
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify(key, method, path, BODY, headers)


def test_a_changed_header_is_refused() -> None:
    headers = sign(KEY, "POST", PATH, BODY)
    for name in (TIMESTAMP_HEADER, NONCE_HEADER):
        changed = dict(headers)
        changed[name] = changed[name][:-1] + ("1" if changed[name][-1] != "1" else "2")
        with pytest.raises(SignatureInvalid, match="does not verify"):
            verify(KEY, "POST", PATH, BODY, changed)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_timestamp_more_than_300_s_off_is_refused(offset: int) -> None:
    now = time.time()
    headers = sign(KEY, "POST", PATH, BODY, now=now + offset)
    with pytest.raises(SignatureInvalid, match="off"):
        verify(KEY, "POST", PATH, BODY, headers, now=now)


@pytest.mark.parametrize("offset", [-299, 0, 299])
def test_a_timestamp_within_the_window_is_accepted(offset: int) -> None:
    now = time.time()
    verify(KEY, "POST", PATH, BODY, sign(KEY, "POST", PATH, BODY, now=now + offset), now=now)


def test_a_replayed_nonce_is_refused_a_fresh_one_is_not() -> None:
    nonces = MemoryNonceStore()
    headers = sign(KEY, "POST", PATH, BODY)
    verify(KEY, "POST", PATH, BODY, headers, nonces=nonces)
    with pytest.raises(SignatureInvalid, match="replay"):
        verify(KEY, "POST", PATH, BODY, headers, nonces=nonces)
    verify(KEY, "POST", PATH, BODY, sign(KEY, "POST", PATH, BODY), nonces=nonces)


def test_a_forged_message_does_not_burn_its_nonce() -> None:
    nonces = MemoryNonceStore()
    headers = sign(KEY, "POST", PATH, BODY)
    with pytest.raises(SignatureInvalid):
        verify(KEY, "POST", PATH, BODY + b" ", headers, nonces=nonces)
    verify(KEY, "POST", PATH, BODY, headers, nonces=nonces)


def test_the_nonce_store_forgets_after_its_ttl() -> None:
    nonces = MemoryNonceStore(purge_every_s=0)
    assert nonces.remember("abcdefgh", ttl_s=0.05)
    assert not nonces.remember("abcdefgh", ttl_s=0.05)
    time.sleep(0.06)
    assert nonces.remember("abcdefgh", ttl_s=0.05)
    assert len(nonces) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TIMESTAMP_HEADER: "1", NONCE_HEADER: "abcdefgh"},
        {TIMESTAMP_HEADER: "soon", NONCE_HEADER: "abcdefgh", SIGNATURE_HEADER: "0" * 64},
        {TIMESTAMP_HEADER: "1", NONCE_HEADER: "a b", SIGNATURE_HEADER: "0" * 64},
        {TIMESTAMP_HEADER: "1", NONCE_HEADER: "abcdefgh", SIGNATURE_HEADER: "XYZ"},
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureInvalid, match="missing|malformed"):
        verify(KEY, "POST", PATH, BODY, headers)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        check_key("short")


def test_times_go_out_in_beijing_time_and_need_an_offset() -> None:
    moment = datetime(2026, 7, 30, 16, 30, tzinfo=UTC)
    assert format_time(moment) == "2026-07-31T00:30:00+08:00"
    assert parse_time("2026-07-31T00:30:00+08:00") == moment
    with pytest.raises(WireError):
        parse_time("2026-07-31T00:30:00")
    with pytest.raises(WireError):
        format_time(datetime(2026, 7, 31))


def test_a_payment_of_the_wrong_shape_is_refused() -> None:
    good = {
        "notice_no": "1",
        "order_no": "o",
        "paid_fen": 100,
        "paid_at": "2026-07-31T00:30:00+08:00",
        "receipt_no": "r",
        "channel": "wechat",
    }
    assert payment_from_json(good).paid_fen == 100
    for broken in (
        {**good, "paid_fen": "100"},
        {**good, "paid_fen": True},
        {k: v for k, v in good.items() if k != "order_no"},
    ):
        with pytest.raises(WireError):
            payment_from_json(broken)
    with pytest.raises(WireError):
        loads(b"[1]")


def test_a_refund_request_goes_both_ways_and_the_wrong_shape_is_refused() -> None:
    request = RefundRequest(refund_no="RF-1", notice_no="51010426073000000017", amount_fen=500, reason="多缴")
    body = refund_request_to_json(request)
    assert body == {
        "refund_no": "RF-1",
        "notice_no": "51010426073000000017",
        "amount_fen": 500,
        "reason": "多缴",
    }
    assert refund_request_from_json(loads(dumps(body))) == request
    for broken in (
        {**body, "amount_fen": "500"},
        {**body, "amount_fen": True},
        {**body, "reason": None},
        {k: v for k, v in body.items() if k != "refund_no"},
    ):
        with pytest.raises(WireError):
            refund_request_from_json(broken)


@pytest.mark.parametrize(
    "status",
    [
        RefundStatus("RF-1", "1", 500, "refunded", datetime(2026, 7, 30, 16, 30, tzinfo=UTC), ""),
        RefundStatus("RF-2", "1", 500, "processing", None, ""),
        RefundStatus("RF-3", "1", 500, "failed", None, "收款账户状态异常，退付失败"),
    ],
)
def test_a_refund_status_goes_both_ways(status: RefundStatus) -> None:
    body = refund_status_to_json(status)
    assert set(body) == {"refund_no", "notice_no", "amount_fen", "state", "refunded_at", "failure"}
    assert refund_status_from_json(loads(dumps(body))) == status


def test_refunded_at_goes_out_in_beijing_time() -> None:
    status = RefundStatus("RF-1", "1", 500, "refunded", datetime(2026, 7, 30, 16, 30, tzinfo=UTC), "")
    assert refund_status_to_json(status)["refunded_at"] == "2026-07-31T00:30:00+08:00"


def test_a_refund_status_of_the_wrong_shape_is_refused() -> None:
    good = {
        "refund_no": "RF-1",
        "notice_no": "1",
        "amount_fen": 500,
        "state": "refunded",
        "refunded_at": "2026-07-31T00:30:00+08:00",
        "failure": "",
    }
    assert refund_status_from_json(good).amount_fen == 500
    for broken in (
        {**good, "state": "paid"},
        {**good, "state": 1},
        {**good, "amount_fen": 5.0},
        {**good, "refunded_at": "2026-07-31T00:30:00"},
        {**good, "refunded_at": 1},
        {k: v for k, v in good.items() if k != "failure"},
    ):
        with pytest.raises(WireError):
            refund_status_from_json(broken)


def test_the_service_never_imports_the_simulator() -> None:
    service_files = [p for p in PACKAGE.rglob("*.py") if "nontax_simulator" not in p.parts]
    assert_not_imported(service_files, {"ywtb.payment.nontax_simulator"})
    assert_not_imported((PACKAGE / "nontax").rglob("*.py"), WEB_FRAMEWORKS | SIMULATOR_SIDE)


def test_a_time_off_the_wire_is_utc_so_a_database_without_zones_keeps_the_instant() -> None:
    moment = parse_time("2026-12-01T10:00:00+08:00")
    assert moment == datetime(2026, 12, 1, 2, 0, tzinfo=UTC) and moment.utcoffset() == timedelta(0)
