"""The non-tax platform simulator as its own process, driven through HttpNonTaxPlatform (no mocks)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc_now
from ywtb.common.testing.conformance import free_port
from ywtb.common.testing.simulators import SimulatorProcess
from ywtb.payment.nontax import (
    CallbackRejected,
    HttpNonTaxPlatform,
    Notice,
    NoticeRequest,
    PlatformRefused,
    PlatformUnavailable,
)
from ywtb.payment.nontax.platform import Payment, RefundRequest, RefundStatus
from ywtb.payment.nontax.signing import sign
from ywtb.payment.nontax.wire import dumps, refund_request_to_json, refund_status_to_json
from ywtb.payment.nontax_simulator.numbers import luhn_valid

KEY = "sim-test-key-0123456789abcdef"
CALLBACK_PATH = "/nontax/cb"
TENANT = "510104"
DEPT = "11510104MB3234567X"


class Receiver:
    """A callback endpoint (stdlib http.server in a thread) recording every post; it can fail the next few."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.fail_next = 0
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.changed:
                    receiver.posts.append((self.path, dict(self.headers.items()), body))
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= 1 if failing else 0
                    receiver.changed.notify_all()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{CALLBACK_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, notice_no: str) -> list[tuple[dict[str, str], bytes]]:
        """The posts about one notice, in arrival order."""
        with self.changed:
            return [(h, b) for _, h, b in self.posts if notice_no.encode() in b]

    def wait(self, notice_no: str, count: int, timeout_s: float = 10) -> list[tuple[dict[str, str], bytes]]:
        """The posts about one notice once there are `count` of them."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while len(self.of(notice_no)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.of(notice_no))} callbacks of {notice_no}, wanted {count}"
                self.changed.wait(left)
            return self.of(notice_no)


def simulator_process(data_dir: Path, callback_url: str) -> SimulatorProcess:
    """`python -m ywtb.payment.nontax_simulator` on a data directory and a port, restartable."""
    settings = {
        "NONTAX_KEY": KEY,
        "CALLBACK_URL": callback_url,
        "CALLBACK_BACKOFF_S": "0.2",
        "CALLBACK_ATTEMPTS": "4",
    }
    return SimulatorProcess("ywtb.payment.nontax_simulator", "YWTB_NONTAXSIM_", data_dir, settings)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[SimulatorProcess]:
    with simulator_process(tmp_path_factory.mktemp("nontax-sim"), receiver.url) as process:
        yield process


@pytest.fixture(scope="module")
def platform(sim: SimulatorProcess) -> Iterator[HttpNonTaxPlatform]:
    with HttpNonTaxPlatform(sim.url, KEY, timeout_s=5, callback_path=CALLBACK_PATH) as p:
        yield p


_orders = iter(range(1, 10_000))


def order(amount_fen: int = 1500, expires_in: timedelta = timedelta(hours=2)) -> NoticeRequest:
    """A fresh order of two fees."""
    return NoticeRequest(
        order_no=f"ORD-{os.getpid()}-{next(_orders)}",
        tenant=TENANT,
        dept=DEPT,
        payer_name="张三",
        amount_fen=amount_fen,
        items=(("工本费", amount_fen - 500), ("邮寄费", 500)),
        expires_at=utc_now() + expires_in,
    )


def faults(platform: HttpNonTaxPlatform, mode: str, delay_s: float = 0) -> None:
    """Switch the simulator's callback mode."""
    platform.exchange("PUT", "/v1/faults", {"callback_mode": mode, "callback_delay_s": delay_s})


def pay(
    platform: HttpNonTaxPlatform, notice: Notice, channel: str = "wechat", **extra: Any
) -> dict[str, Any]:
    """Pay through the simulator's signed test endpoint (as the pay page does)."""
    return platform.exchange("POST", f"/v1/test/pay/{notice.notice_no}", {"channel": channel, **extra})


def beijing_today() -> date:
    """Statements are by the Beijing day (the test host may run in UTC)."""
    return local_date(utc_now())


def test_the_same_order_gets_the_same_notice_unpaid(platform: HttpNonTaxPlatform) -> None:
    request = order()
    notice = platform.issue_notice(request)
    assert platform.issue_notice(request) == notice
    assert (
        len(notice.notice_no) == 20 and notice.notice_no.startswith(TENANT) and luhn_valid(notice.notice_no)
    )
    assert notice.pay_url.endswith(f"/pay/{notice.notice_no}")
    status = platform.status(notice.notice_no)
    assert (status.state, status.order_no, status.amount_fen, status.paid_fen) == (
        "unpaid",
        request.order_no,
        1500,
        0,
    )
    assert (status.paid_at, status.receipt_no) == (None, "")
    other_amount = NoticeRequest(**{**request.__dict__, "amount_fen": 2000, "items": (("工本费", 2000),)})
    with pytest.raises(PlatformRefused) as refused:
        platform.issue_notice(other_amount)
    assert refused.value.status == 409 and "订单号" in str(refused.value)


def test_a_request_the_platform_refuses_is_a_value_error(platform: HttpNonTaxPlatform) -> None:
    wrong_sum = NoticeRequest(**{**order().__dict__, "amount_fen": 1})
    with pytest.raises(ValueError, match="各收费项目金额之和"):
        platform.issue_notice(wrong_sum)
    with pytest.raises(ValueError, match="不存在"):
        platform.status("00000000000000000000")


def test_a_payment_is_called_back_once_and_the_callback_verifies(
    platform: HttpNonTaxPlatform, receiver: Receiver
) -> None:
    faults(platform, "normal")
    notice = platform.issue_notice(order())
    paid = pay(platform, notice)
    status = platform.status(notice.notice_no)
    assert (status.state, status.paid_fen, status.channel) == ("paid", 1500, "wechat")
    assert status.receipt_no == paid["receipt_no"] and len(status.receipt_no) == 18
    assert status.paid_at is not None

    [(headers, body)] = receiver.wait(notice.notice_no, 1)
    payment = platform.parse_callback(body, headers)
    assert (payment.notice_no, payment.paid_fen, payment.receipt_no) == (
        notice.notice_no,
        1500,
        status.receipt_no,
    )
    assert payment.paid_at == status.paid_at
    with pytest.raises(CallbackRejected, match="replay"):
        platform.parse_callback(body, headers)
    forged = body.replace(b'"paid_fen":1500', b'"paid_fen":1')
    assert forged != body
    with pytest.raises(CallbackRejected, match="does not verify"):
        platform.parse_callback(forged, headers)
    with pytest.raises(CallbackRejected, match="missing"):
        platform.parse_callback(body, {})

    with pytest.raises(PlatformRefused, match="已缴款"):
        pay(platform, notice)
    with pytest.raises(PlatformRefused) as refused:
        platform.cancel(notice.notice_no)
    assert refused.value.status == 409 and refused.value.code == "NOTICE_PAID"
    assert payment in platform.statement(beijing_today())
    assert payment not in platform.statement(beijing_today() - timedelta(days=1))
    time.sleep(0.5)
    assert len(receiver.of(notice.notice_no)) == 1


def test_duplicate_mode_calls_back_twice(platform: HttpNonTaxPlatform, receiver: Receiver) -> None:
    faults(platform, "duplicate")
    notice = platform.issue_notice(order())
    pay(platform, notice, "alipay")
    posts = receiver.wait(notice.notice_no, 2)
    first, second = (platform.parse_callback(body, headers) for headers, body in posts)
    assert first == second and first.channel == "alipay"


def test_lost_mode_calls_back_never_but_status_and_statement_tell(
    platform: HttpNonTaxPlatform, receiver: Receiver
) -> None:
    faults(platform, "lost")
    notice = platform.issue_notice(order())
    pay(platform, notice, "bank_counter")
    time.sleep(1.0)
    assert receiver.of(notice.notice_no) == []
    assert platform.status(notice.notice_no).state == "paid"
    assert notice.notice_no in {line.notice_no for line in platform.statement(beijing_today())}


def test_late_mode_calls_back_after_the_delay(platform: HttpNonTaxPlatform, receiver: Receiver) -> None:
    faults(platform, "late", delay_s=1.0)
    notice = platform.issue_notice(order())
    paid_at = time.monotonic()
    pay(platform, notice)
    time.sleep(0.5)
    assert receiver.of(notice.notice_no) == []
    receiver.wait(notice.notice_no, 1)
    assert time.monotonic() - paid_at >= 1.0


def test_a_failed_delivery_is_retried(platform: HttpNonTaxPlatform, receiver: Receiver) -> None:
    faults(platform, "normal")
    receiver.fail_next = 2
    notice = platform.issue_notice(order())
    pay(platform, notice)
    posts = receiver.wait(notice.notice_no, 3)
    assert [platform.parse_callback(body, headers).notice_no for headers, body in posts] == [
        notice.notice_no
    ] * 3


def test_a_paid_amount_other_than_the_notice_is_kept(platform: HttpNonTaxPlatform) -> None:
    faults(platform, "lost")
    notice = platform.issue_notice(order())
    pay(platform, notice, paid_fen=1499)
    status = platform.status(notice.notice_no)
    assert (status.state, status.amount_fen, status.paid_fen) == ("paid", 1500, 1499)


def test_an_unpaid_notice_is_cancelled_and_cannot_be_paid(platform: HttpNonTaxPlatform) -> None:
    notice = platform.issue_notice(order())
    assert platform.cancel(notice.notice_no).state == "cancelled"
    assert platform.cancel(notice.notice_no).state == "cancelled"
    with pytest.raises(PlatformRefused, match="已撤销"):
        pay(platform, notice)


def test_an_expired_notice_cannot_be_paid(platform: HttpNonTaxPlatform) -> None:
    notice = platform.issue_notice(order(expires_in=timedelta(seconds=1)))
    time.sleep(max(0.0, (notice.expires_at - utc_now()).total_seconds()) + 0.1)
    assert platform.status(notice.notice_no).state == "expired"
    with pytest.raises(PlatformRefused, match="过缴款期限"):
        pay(platform, notice)
    page = httpx.get(notice.pay_url).text
    assert "已过期" in page and "<form" not in page


def test_the_pay_page_pays_once(platform: HttpNonTaxPlatform) -> None:
    faults(platform, "lost")
    notice = platform.issue_notice(order(amount_fen=12345))
    page = httpx.get(notice.pay_url)
    assert page.status_code == 200
    for text in (
        "收款单位",
        DEPT,
        "123.45 元",
        "缴款通知书编号",
        notice.notice_no,
        "银行柜台",
        "网上银行",
        "微信",
        "支付宝",
    ):
        assert text in page.text
    paid = httpx.post(notice.pay_url, data={"channel": "online_banking"})
    status = platform.status(notice.notice_no)
    assert paid.status_code == 200 and "财政电子票据号" in paid.text and status.receipt_no in paid.text
    assert (status.state, status.channel) == ("paid", "online_banking")
    again = httpx.post(notice.pay_url, data={"channel": "wechat"})
    assert again.status_code == 409 and "已缴款" in again.text
    assert platform.status(notice.notice_no).channel == "online_banking"


def test_a_wrong_key_or_no_platform_is_unavailable(sim: SimulatorProcess) -> None:
    stranger = HttpNonTaxPlatform(sim.url, "another-key-0123456789abcdef")
    with stranger, pytest.raises(PlatformUnavailable, match="not signed by the platform"):
        stranger.status("00000000000000000000")
    unsigned = httpx.get(f"{sim.url}/v1/notices/00000000000000000000")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "BAD_SIGNATURE"
    nobody = HttpNonTaxPlatform(f"http://127.0.0.1:{free_port()}", KEY, timeout_s=1)
    with nobody, pytest.raises(PlatformUnavailable, match="ConnectError"):
        nobody.issue_notice(order())


def test_a_restart_keeps_the_notices_and_the_callbacks_to_deliver(
    platform: HttpNonTaxPlatform, sim: SimulatorProcess, receiver: Receiver
) -> None:
    faults(platform, "normal")
    paid = platform.issue_notice(order())
    pay(platform, paid)
    receiver.wait(paid.notice_no, 1)
    faults(platform, "late", delay_s=1.0)
    late = platform.issue_notice(order())
    pay(platform, late)
    sim.stop()
    assert receiver.of(late.notice_no) == []
    sim.start()
    assert platform.status(paid.notice_no).state == "paid"
    assert platform.status(late.notice_no).state == "paid"
    assert platform.exchange("GET", "/v1/faults")["callback_mode"] == "normal"  # switches reset
    receiver.wait(late.notice_no, 1)


_refunds = iter(range(1, 10_000))


def refund_faults(platform: HttpNonTaxPlatform, mode: str, delay_s: float = 2.0) -> None:
    """Switch the simulator's refund mode."""
    platform.exchange("PUT", "/v1/faults", {"refund_mode": mode, "refund_delay_s": delay_s})


def paid_notice(platform: HttpNonTaxPlatform, amount_fen: int = 1500) -> Notice:
    """A notice issued and paid in full (its callback lost: the refund tests do not need it)."""
    faults(platform, "lost")
    notice = platform.issue_notice(order(amount_fen))
    pay(platform, notice)
    return notice


def refund(notice: Notice, amount_fen: int, reason: str = "多缴退付") -> RefundRequest:
    """A fresh refund request of part or all of a notice."""
    return RefundRequest(f"RF-{os.getpid()}-{next(_refunds)}", notice.notice_no, amount_fen, reason)


def refused_code(call: Any, *args: Any) -> tuple[int, str]:
    """The status and code of the PlatformRefused a call raises."""
    with pytest.raises(PlatformRefused) as refused:
        call(*args)
    return refused.value.status, refused.value.code


def signed_post(sim: SimulatorProcess, path: str, body: dict[str, Any]) -> httpx.Response:
    """A signed POST whose status code the test reads (the adapter keeps it to itself)."""
    content = dumps(body)
    headers = {"Content-Type": "application/json", **sign(KEY, "POST", path, content)}
    return httpx.post(f"{sim.url}{path}", content=content, headers=headers)


def test_a_full_refund_is_refunded_at_once_and_asked_again_answers_the_same(
    platform: HttpNonTaxPlatform, sim: SimulatorProcess
) -> None:
    refund_faults(platform, "normal")
    notice = paid_notice(platform)
    request = refund(notice, 1500)
    before = utc_now()
    created = signed_post(sim, "/v1/refunds", refund_request_to_json(request))
    assert created.status_code == 201
    done = platform.refund(request)
    assert refund_status_to_json(done) == created.json()
    assert (done.refund_no, done.notice_no, done.amount_fen, done.state, done.failure) == (
        request.refund_no,
        notice.notice_no,
        1500,
        "refunded",
        "",
    )
    assert done.refunded_at is not None and before - timedelta(seconds=1) <= done.refunded_at <= utc_now()
    assert platform.refund_status(request.refund_no) == done
    again = signed_post(sim, "/v1/refunds", refund_request_to_json(request))
    assert (again.status_code, again.json()) == (200, created.json())
    other_amount = RefundRequest(request.refund_no, notice.notice_no, 1000, request.reason)
    assert refused_code(platform.refund, other_amount) == (409, "REFUND_CONFLICT")
    other_notice = RefundRequest(request.refund_no, paid_notice(platform).notice_no, 1500, request.reason)
    assert refused_code(platform.refund, other_notice) == (409, "REFUND_CONFLICT")
    assert refused_code(platform.refund, refund(notice, 1)) == (409, "REFUND_EXCEEDS_PAID")
    assert "已退付</th><td>15.00 元" in httpx.get(notice.pay_url).text
    assert refused_code(platform.refund_status, "RF-nobody") == (404, "REFUND_NOT_FOUND")


def test_partial_refunds_up_to_the_paid_amount_then_refused(platform: HttpNonTaxPlatform) -> None:
    refund_faults(platform, "normal")
    notice = paid_notice(platform)
    assert platform.refund(refund(notice, 500)).state == "refunded"
    assert platform.refund(refund(notice, 900)).state == "refunded"
    with pytest.raises(PlatformRefused, match="尚可退付 1.00 元") as refused:
        platform.refund(refund(notice, 101))
    assert (refused.value.status, refused.value.code) == (409, "REFUND_EXCEEDS_PAID")
    assert platform.refund(refund(notice, 100)).state == "refunded"
    assert refused_code(platform.refund, refund(notice, 1)) == (409, "REFUND_EXCEEDS_PAID")


def test_a_refund_of_an_unpaid_or_unknown_notice_or_of_a_wrong_shape_is_refused(
    platform: HttpNonTaxPlatform,
) -> None:
    refund_faults(platform, "normal")
    unpaid = platform.issue_notice(order())
    assert refused_code(platform.refund, refund(unpaid, 100)) == (409, "NOTICE_NOT_PAID")
    unknown = Notice("00000000000000000000", "", utc_now())
    assert refused_code(platform.refund, refund(unknown, 100)) == (404, "NOTICE_NOT_FOUND")
    notice = paid_notice(platform)
    for broken in (
        refund(notice, 0),
        refund(notice, -1),
        refund(notice, 100, ""),
        refund(notice, 100, "退" * 201),
    ):
        assert refused_code(platform.refund, broken) == (400, "BAD_REQUEST")
    assert refused_code(platform.refund, RefundRequest("a b", notice.notice_no, 100, "多缴")) == (
        400,
        "BAD_REQUEST",
    )
    with pytest.raises(PlatformRefused, match="退付申请格式错误"):
        platform.exchange("POST", "/v1/refunds", {"refund_no": "RF-x", "notice_no": notice.notice_no})
    assert platform.refund(refund(notice, 1500, "退" * 200)).state == "refunded"


def test_processing_mode_turns_refunded_after_the_delay(platform: HttpNonTaxPlatform) -> None:
    refund_faults(platform, "processing", delay_s=0.5)
    notice = paid_notice(platform)
    request = refund(notice, 1500)
    asked = utc_now()
    processing = platform.refund(request)
    assert (processing.state, processing.refunded_at, processing.failure) == ("processing", None, "")
    assert platform.refund(request) == processing
    assert refused_code(platform.refund, refund(notice, 1)) == (409, "REFUND_EXCEEDS_PAID")  # it counts
    time.sleep(0.6)
    done = platform.refund_status(request.refund_no)
    assert done.state == "refunded" and done.refunded_at is not None
    assert done.refunded_at >= asked - timedelta(seconds=1)
    assert platform.refund_status(request.refund_no) == done
    refund_faults(platform, "normal")


def test_fail_mode_fails_and_a_failed_refund_does_not_count(platform: HttpNonTaxPlatform) -> None:
    refund_faults(platform, "fail")
    notice = paid_notice(platform)
    request = refund(notice, 1500)
    failed = platform.refund(request)
    assert (failed.state, failed.refunded_at, failed.failure) == (
        "failed",
        None,
        "收款账户状态异常，退付失败",
    )
    assert platform.refund_status(request.refund_no) == failed
    refund_faults(platform, "normal")
    assert platform.refund(request) == failed  # the same refund_no stays failed: a retry needs a new one
    assert platform.refund(refund(notice, 1500)).state == "refunded"


def race(clients: list[HttpNonTaxPlatform], requests: list[RefundRequest]) -> list[object]:
    """Each client asks its refund in its own thread, all released at once; what each got."""
    barrier = threading.Barrier(len(clients))
    outcomes: list[object] = []

    def ask(client: HttpNonTaxPlatform, request: RefundRequest) -> None:
        barrier.wait()
        try:
            outcomes.append(client.refund(request))
        except PlatformRefused as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=ask, args=pair) for pair in zip(clients, requests, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_two_concurrent_full_refunds_one_is_refunded_one_refused(sim: SimulatorProcess) -> None:
    with HttpNonTaxPlatform(sim.url, KEY, callback_path=CALLBACK_PATH) as setup:
        refund_faults(setup, "normal")
        notices = [paid_notice(setup) for _ in range(5)]
    clients = [HttpNonTaxPlatform(sim.url, KEY, callback_path=CALLBACK_PATH) for _ in range(2)]
    try:
        for notice in notices:
            outcomes = race(clients, [refund(notice, 1500), refund(notice, 1500)])
            refunded = [o for o in outcomes if isinstance(o, RefundStatus) and o.state == "refunded"]
            refused = [o for o in outcomes if isinstance(o, PlatformRefused)]
            assert len(refunded) == 1 and len(refused) == 1, outcomes
            assert (refused[0].status, refused[0].code) == (409, "REFUND_EXCEEDS_PAID")
    finally:
        for client in clients:
            client.close()


def test_the_statement_lists_the_day_s_refunds_beside_its_payments(platform: HttpNonTaxPlatform) -> None:
    refund_faults(platform, "normal")
    notice = paid_notice(platform)
    done = platform.refund(refund(notice, 700))
    refund_faults(platform, "fail")
    failed = platform.refund(refund(notice, 800))
    refund_faults(platform, "processing", delay_s=3600)
    processing = platform.refund(refund(notice, 800))
    refund_faults(platform, "normal")
    today = beijing_today()
    body = platform.exchange("GET", f"/v1/statements/{today.isoformat()}")
    assert refund_status_to_json(done) in body["refunds"]
    listed = {line["refund_no"] for line in body["refunds"]}
    assert failed.refund_no not in listed and processing.refund_no not in listed
    assert notice.notice_no in {line["notice_no"] for line in body["lines"]}
    yesterday = platform.exchange("GET", f"/v1/statements/{(today - timedelta(days=1)).isoformat()}")
    assert done.refund_no not in {line["refund_no"] for line in yesterday["refunds"]}
    payments = platform.statement(today)
    assert payments and all(isinstance(line, Payment) for line in payments)


def test_the_refund_switches_are_read_and_checked(platform: HttpNonTaxPlatform) -> None:
    refund_faults(platform, "processing", delay_s=0.25)
    switches = platform.exchange("GET", "/v1/faults")
    assert (switches["refund_mode"], switches["refund_delay_s"]) == ("processing", 0.25)
    for wrong in ({"refund_mode": "slow"}, {"refund_delay_s": -1}, {"refund_delay_s": True}):
        with pytest.raises(PlatformRefused) as refused:
            platform.exchange("PUT", "/v1/faults", wrong)
        assert refused.value.status == 400
    assert platform.exchange("GET", "/v1/faults")["refund_mode"] == "processing"
    refund_faults(platform, "normal")
