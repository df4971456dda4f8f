"""Payment unit tests' world on SQLite: a recording stand-in of the NonTaxPlatform interface (the simulator
process is driven in test_nontax_simulator.py and the end-to-end tests) and the case facts intake and the
catalogue would give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.common.calendar import local_date
from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.payment.charges import Charges
from ywtb.payment.nontax.platform import (
    CallbackRejected,
    Notice,
    NoticeRequest,
    NoticeStatus,
    Payment,
    PlatformRefused,
    PlatformUnavailable,
    RefundRequest,
    RefundStatus,
)
from ywtb.payment.orders import Orders
from ywtb.payment.refunds import Refunds

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing, 1 Dec
DEPT = "11510104MB3234567X"


class Platform:
    """The platform's behaviour as the interface promises it, kept in memory."""

    def __init__(self) -> None:
        self.notices: dict[str, NoticeStatus] = {}
        self.down = False
        self.extra_lines: list[Payment] = []
        self.hidden: set[str] = set()  # paid, but left off the statement
        self.refunds: dict[str, RefundStatus] = {}
        self.issued: dict[str, NoticeRequest] = {}
        self.refund_mode = "refunded"  # or processing, failed
        self.refund_calls = 0

    def issue_notice(self, request: NoticeRequest) -> Notice:
        if self.down:
            raise PlatformUnavailable("connection refused")
        notice_no = f"N{request.order_no}"
        assert sum(fen for _, fen in request.items) == request.amount_fen and all(
            f > 0 for _, f in request.items
        )
        self.issued[request.order_no] = request
        self.notices.setdefault(
            notice_no,
            NoticeStatus(notice_no, request.order_no, request.amount_fen, "unpaid", 0, None, "", ""),
        )
        return Notice(notice_no, f"http://platform.example/pay/{notice_no}", request.expires_at)

    def status(self, notice_no: str) -> NoticeStatus:
        return self.notices[notice_no]

    def pay(self, notice_no: str, paid_fen: int | None = None) -> None:
        notice = self.notices[notice_no]
        self.notices[notice_no] = replace(
            notice,
            state="paid",
            paid_fen=paid_fen or notice.amount_fen,
            paid_at=NOW,
            receipt_no="R-1",
            channel="wechat",
        )

    def cancel(self, notice_no: str) -> NoticeStatus:
        if self.down:
            raise PlatformUnavailable("connection refused")
        notice = self.notices[notice_no]
        if notice.state == "paid":
            raise PlatformRefused(409, "NOTICE_PAID", "该缴款通知书已缴款，不能撤销。")
        self.notices[notice_no] = replace(notice, state="cancelled")
        return self.notices[notice_no]

    def refund(self, request: RefundRequest) -> RefundStatus:
        self.refund_calls += 1
        if self.down:
            raise PlatformUnavailable("connection refused")
        if request.refund_no in self.refunds:
            return self.refunds[request.refund_no]
        notice = self.notices[request.notice_no]
        held = sum(
            r.amount_fen
            for r in self.refunds.values()
            if r.notice_no == notice.notice_no and r.state != "failed"
        )
        if notice.state != "paid" or held + request.amount_fen > notice.paid_fen:
            raise PlatformRefused(409, "REFUND_EXCEEDS_PAID", "退付金额超过可退金额。")
        state = self.refund_mode
        self.refunds[request.refund_no] = RefundStatus(
            request.refund_no,
            request.notice_no,
            request.amount_fen,
            state,  # type: ignore[arg-type]
            NOW if state == "refunded" else None,
            "账户异常" if state == "failed" else "",
        )
        return self.refunds[request.refund_no]

    def refund_status(self, refund_no: str) -> RefundStatus:
        if self.down:
            raise PlatformUnavailable("connection refused")
        return self.refunds[refund_no]

    def settle_refunds(self) -> None:
        """Every processing refund is paid back now."""
        for refund_no, status in self.refunds.items():
            if status.state == "processing":
                self.refunds[refund_no] = replace(status, state="refunded", refunded_at=NOW)

    def statement(self, day: date) -> list[Payment]:
        paid = [
            Payment(n.notice_no, n.order_no, n.paid_fen, n.paid_at or NOW, n.receipt_no, n.channel)
            for n in self.notices.values()
            if n.state == "paid" and n.notice_no not in self.hidden
        ]
        return [p for p in self.extra_lines + paid if local_date(p.paid_at) == day]

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> Payment:
        if headers.get("x-nontax-signature") != "good":
            raise CallbackRejected("bad signature")
        notice = self.notices[body.decode()]
        return Payment(
            notice.notice_no, notice.order_no, notice.paid_fen, NOW, notice.receipt_no, notice.channel
        )


class Facts:
    """What intake and the catalogue say of the case."""

    def __init__(self) -> None:
        fee = catalog_pb2.Fee(
            name="工本费", standard="10元/本", basis="发改价格〔2004〕2831号", charged=True, amount_fen=1000
        )
        self.guide = catalog_pb2.Guide(
            fees=[fee, catalog_pb2.Fee(name="审查费", charged=False)],
            online_payment=True,
            charge_point=catalog_pb2.CHARGE_POINT_AFTER_APPROVAL,
        )
        self.down = False

    def holder(self, case_no: str, fields: list[str]) -> intake_pb2.GetCaseHolderResponse:
        if self.down:
            raise ConnectionError("intake down")
        return intake_pb2.GetCaseHolderResponse(
            case_no=case_no, item_version=2, holder_name="张三", owner="citizen-1"
        )

    def guide_of(self, item_id: str, version: int) -> catalog_pb2.Guide:
        assert (item_id, version) == ("item-1", 2)
        return self.guide


@pytest.fixture
def world(sqlite_url: str):  # type: ignore[no-untyped-def]
    upgrade(script_location_of("ywtb.payment"), sqlite_url)
    db = Database(sqlite_url)
    platform, facts, clock = Platform(), Facts(), {"now": NOW}
    orders = Orders(db, platform, clock=lambda: clock["now"])
    source = type("Source", (), {"holder": staticmethod(facts.holder), "guide": staticmethod(facts.guide_of)})
    charges = Charges(db, source(), orders, clock=lambda: clock["now"])
    return db, platform, facts, orders, charges, clock


@pytest.fixture
def refunds(world):  # type: ignore[no-untyped-def]
    """The refunds of the world's orders."""
    db, platform, _facts, _orders, _charges, clock = world
    return Refunds(db, platform, clock=lambda: clock["now"])
