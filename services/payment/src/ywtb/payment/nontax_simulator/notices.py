"""The platform's use cases: issue, query, cancel, pay a notice, and the day's statement (对账单)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.common.calendar import day_bounds, local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.payment.nontax.platform import Notice, NoticeRequest, NoticeState, NoticeStatus, Payment
from ywtb.payment.nontax.wire import dumps, payment_to_json
from ywtb.payment.nontax_simulator.numbers import notice_number, receipt_number
from ywtb.payment.nontax_simulator.refusals import Refusal, bad_request, not_found
from ywtb.payment.nontax_simulator.tables import CallbackRow, NoticeRow

# Channel codes on the wire and their names on the pay page.
CHANNELS = {"bank_counter": "银行柜台", "online_banking": "网上银行", "wechat": "微信", "alipay": "支付宝"}
MAX_VALIDITY = timedelta(days=366)
_ORDER_NO = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TENANT = re.compile(r"[0-9]{6}")


class Notices(Clocked):
    """Notices in the simulator's database; each use case is one transaction."""

    def __init__(self, db: Database, pay_base_url: str, clock: Clock = utc_now) -> None:
        self.db = db
        self.pay_base_url = pay_base_url
        self.clock = clock

    def issue(self, request: NoticeRequest) -> tuple[Notice, bool]:
        """The order's notice and whether it is new; the same order asked again gets the same notice."""
        _check_request(request, self.now())
        with self.db.transaction() as session:
            row = session.scalar(select(NoticeRow).where(NoticeRow.order_no == request.order_no))
            if row is not None:
                if _money_of(row) != (request.tenant, request.dept, request.amount_fen, request.items):
                    raise Refusal(
                        409,
                        "ORDER_CONFLICT",
                        "该订单号已开具金额或收款单位不同的缴款通知书，请使用新的订单号。",
                    )
                return self._notice(row), False
            row = NoticeRow(
                order_no=request.order_no,
                tenant=request.tenant,
                dept=request.dept,
                payer_name=request.payer_name,
                amount_fen=request.amount_fen,
                items_json=json.dumps(request.items, ensure_ascii=False),
                created_at=self.now(),
                expires_at=utc(request.expires_at),
                state="unpaid",
                notice_no=f"pending-{request.order_no}"[:32],
            )
            session.add(row)
            session.flush()
            row.notice_no = notice_number(request.tenant, local_date(self.now()), row.id)
            return self._notice(row), True

    def status(self, notice_no: str) -> NoticeStatus:
        """The notice now (unpaid past its expiry reads as expired)."""
        with self.db.transaction() as session:
            return self._status(_find(session, notice_no))

    def detail(self, notice_no: str) -> tuple[NoticeStatus, NoticeRequest]:
        """The notice now and what it was issued for (the pay page shows both)."""
        with self.db.transaction() as session:
            row = _find(session, notice_no)
            return self._status(row), _request_of(row)

    def cancel(self, notice_no: str) -> NoticeStatus:
        """撤销: an unpaid (or expired) notice is cancelled; a paid one is refused; cancelled stays so."""
        with self.db.transaction() as session:
            row = _find(session, notice_no)
            if row.state == "paid":
                raise Refusal(409, "NOTICE_PAID", "该缴款通知书已缴款，不能撤销。")
            row.state = "cancelled"
            return self._status(row)

    def pay(
        self, notice_no: str, channel: str, paid_fen: int | None, callback_delays: Sequence[float]
    ) -> Payment:
        """Mark the notice paid once, issue its 财政电子票据号, stage one callback per delay (seconds)."""
        if channel not in CHANNELS:
            raise bad_request(f"缴款渠道 {channel[:20]} 不存在，可选：{'、'.join(CHANNELS)}。")
        now = self.now()
        with self.db.transaction() as session:
            row = _find(session, notice_no)
            state = self._state(row)
            if state != "unpaid":
                raise _not_payable(state)
            fen = row.amount_fen if paid_fen is None else paid_fen
            if fen <= 0:
                raise bad_request("缴款金额必须大于零。")
            row.state, row.paid_fen, row.paid_at, row.channel = "paid", fen, now, channel
            row.receipt_no = receipt_number(row.tenant, local_date(now), row.id)
            payment = _payment_of(row)
            body = dumps(payment_to_json(payment)).decode("utf-8")
            for delay in callback_delays:
                session.add(
                    CallbackRow(notice_no=row.notice_no, body=body, due_at=now + timedelta(seconds=delay))
                )
            return payment

    def statement(self, day: date) -> list[Payment]:
        """对账单: the payments made on that day in Beijing time, in the order they were made."""
        start, end = day_bounds(day)
        with self.db.transaction() as session:
            rows = session.scalars(
                select(NoticeRow)
                .where(NoticeRow.state == "paid")
                .where(NoticeRow.paid_at >= start, NoticeRow.paid_at < end)
                .order_by(NoticeRow.paid_at, NoticeRow.id)
            ).all()
            return [_payment_of(row) for row in rows]

    def _state(self, row: NoticeRow) -> NoticeState:
        if row.state == "unpaid" and self.now() >= utc(row.expires_at):
            return "expired"
        return row.state  # type: ignore[return-value]  # the column holds unpaid | paid | cancelled

    def _status(self, row: NoticeRow) -> NoticeStatus:
        return NoticeStatus(
            notice_no=row.notice_no,
            order_no=row.order_no,
            amount_fen=row.amount_fen,
            state=self._state(row),
            paid_fen=row.paid_fen,
            paid_at=utc(row.paid_at) if row.paid_at else None,
            receipt_no=row.receipt_no,
            channel=row.channel,
        )

    def _notice(self, row: NoticeRow) -> Notice:
        return Notice(
            notice_no=row.notice_no,
            pay_url=f"{self.pay_base_url}/pay/{row.notice_no}",
            expires_at=utc(row.expires_at),
        )


def _check_request(request: NoticeRequest, now: datetime) -> None:
    """The platform's own checks of a notice request (a real one has more)."""
    if not _ORDER_NO.fullmatch(request.order_no):
        raise bad_request("订单号须为 1 至 64 位字母、数字、下划线或连字符。")
    if not _TENANT.fullmatch(request.tenant):
        raise bad_request("区划代码须为 6 位数字。")
    if not 0 < len(request.dept) <= 32 or not 0 < len(request.payer_name) <= 100:
        raise bad_request("收款单位和缴款人不能为空。")
    if not request.items or any(not name or fen <= 0 for name, fen in request.items):
        raise bad_request("至少需要一项收费项目，每项须有名称且金额大于零。")
    if request.amount_fen <= 0 or sum(fen for _, fen in request.items) != request.amount_fen:
        raise bad_request("缴款金额须大于零，且等于各收费项目金额之和。")
    if not now < request.expires_at <= now + MAX_VALIDITY:
        raise bad_request("缴款期限须晚于当前时间，且不超过一年。")


def _find(session: Session, notice_no: str) -> NoticeRow:
    row = session.scalar(select(NoticeRow).where(NoticeRow.notice_no == notice_no))
    if row is None:
        raise not_found(notice_no)
    return row


def _not_payable(state: NoticeState) -> Refusal:
    if state == "paid":
        return Refusal(409, "NOTICE_PAID", "该缴款通知书已缴款，请勿重复缴款。")
    if state == "expired":
        return Refusal(409, "NOTICE_EXPIRED", "该缴款通知书已过缴款期限，不能缴款，请联系开单部门重新开具。")
    return Refusal(409, "NOTICE_CANCELLED", "该缴款通知书已撤销，不能缴款。")


def _items_of(row: NoticeRow) -> tuple[tuple[str, int], ...]:
    return tuple((str(name), int(fen)) for name, fen in json.loads(row.items_json))


def _money_of(row: NoticeRow) -> tuple[str, str, int, tuple[tuple[str, int], ...]]:
    return row.tenant, row.dept, row.amount_fen, _items_of(row)


def _request_of(row: NoticeRow) -> NoticeRequest:
    return NoticeRequest(
        order_no=row.order_no,
        tenant=row.tenant,
        dept=row.dept,
        payer_name=row.payer_name,
        amount_fen=row.amount_fen,
        items=_items_of(row),
        expires_at=utc(row.expires_at),
    )


def _payment_of(row: NoticeRow) -> Payment:
    assert row.paid_at is not None
    return Payment(
        notice_no=row.notice_no,
        order_no=row.order_no,
        paid_fen=row.paid_fen,
        paid_at=utc(row.paid_at),
        receipt_no=row.receipt_no,
        channel=row.channel,
    )
