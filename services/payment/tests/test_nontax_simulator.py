"""The non-tax platform simulator as its own process, driven through HttpNonTaxPlatform (no mocks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
from ywtb.payment.nontax import (
    CallbackRejected,
    HttpNonTaxPlatform,
    Notice,
    NoticeRequest,
    PlatformRefused,
    PlatformUnavailable,
)
from ywtb.payment.nontax_simulator.numbers import luhn_valid

KEY = "sim-test-key-0123456789abcdef"
CALLBACK_PATH = "/nontax/cb"
TENANT = "510104"
DEPT = "11510104MB3234567X"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


class SimulatorProcess:
    """`python -m ywtb.payment.nontax_simulator` on a data directory and a port, restartable."""

    def __init__(self, data_dir: Path, callback_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "simulator.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("YWTB_NONTAXSIM_")}
        self.env.update(
            {
                "YWTB_NONTAXSIM_NONTAX_KEY": KEY,
                "YWTB_NONTAXSIM_HTTP_PORT": str(self.port),
                "YWTB_NONTAXSIM_DATA_DIR": str(data_dir),
                "YWTB_NONTAXSIM_CALLBACK_URL": callback_url,
                "YWTB_NONTAXSIM_CALLBACK_BACKOFF_S": "0.2",
                "YWTB_NONTAXSIM_CALLBACK_ATTEMPTS": "4",
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30) -> None:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ywtb.payment.nontax_simulator"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, f"simulator exited: {self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"simulator not ready: {self.log.read_text()[-3000:]}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[SimulatorProcess]:
    process = SimulatorProcess(tmp_path_factory.mktemp("nontax-sim"), receiver.url)
    process.start()
    try:
        yield process
    finally:
        process.stop()


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
