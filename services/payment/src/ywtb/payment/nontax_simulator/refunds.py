"""The platform's refunds (退付) of paid notices: ask one, query it, the refunds of a day's statement."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ywtb.common.calendar import day_bounds
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.money import yuan
from ywtb.payment.nontax.platform import RefundRequest, RefundState, RefundStatus
from ywtb.payment.nontax_simulator.faults import Faults
from ywtb.payment.nontax_simulator.refusals import Refusal, bad_request, not_found, refund_not_found
from ywtb.payment.nontax_simulator.tables import NoticeRow, RefundRow

FAILURE = "收款账户状态异常，退付失败"
MAX_REASON = 200
_REFUND_NO = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Refunds(Clocked):
    """Refunds in the simulator's database; how a new one ends follows the faults' refund mode."""

    def __init__(self, db: Database, faults: Faults, clock: Clock = utc_now) -> None:
        self.db = db
        self.faults = faults
        self.clock = clock
        # SQLite takes its write lock at BEGIN already; this keeps the sum check one at a time on any backend.
        self._lock = threading.Lock()

    def request(self, request: RefundRequest) -> tuple[RefundStatus, bool]:
        """The refund and whether it is new; the same refund_no asked again answers the same refund."""
        _check_request(request)
        mode, delay_s = self.faults.refund_outcome()
        with self._lock, self.db.transaction() as session:
            now = self.now()
            row = session.scalar(select(RefundRow).where(RefundRow.refund_no == request.refund_no))
            if row is not None:
                if (row.notice_no, row.amount_fen) != (request.notice_no, request.amount_fen):
                    raise Refusal(
                        409,
                        "REFUND_CONFLICT",
                        "该退付单号已用于其他缴款通知书或金额的退付申请，请使用新的退付单号。",
                    )
                return self._status(_settled(row, now)), False
            notice = session.scalar(
                select(NoticeRow).where(NoticeRow.notice_no == request.notice_no).with_for_update()
            )
            if notice is None:
                raise not_found(request.notice_no)
            if notice.state != "paid":
                raise Refusal(
                    409, "NOTICE_NOT_PAID", "该缴款通知书尚未缴款，不能退付；未缴款的通知书可直接撤销。"
                )
            taken = _taken_fen(session, notice.notice_no)
            if taken + request.amount_fen > notice.paid_fen:
                raise Refusal(
                    409,
                    "REFUND_EXCEEDS_PAID",
                    f"退付金额超过可退金额：已缴 {yuan(notice.paid_fen)} 元，已退付或退付中 {yuan(taken)} 元，"
                    f"尚可退付 {yuan(notice.paid_fen - taken)} 元，请核对退付金额。",
                )
            row = RefundRow(
                refund_no=request.refund_no,
                notice_no=request.notice_no,
                amount_fen=request.amount_fen,
                reason=request.reason,
                state={"normal": "refunded", "processing": "processing", "fail": "failed"}[mode],
                created_at=now,
                due_at=now + timedelta(seconds=delay_s) if mode == "processing" else None,
                refunded_at=now if mode == "normal" else None,
                failure=FAILURE if mode == "fail" else "",
            )
            session.add(row)
            session.flush()
            return self._status(row), True

    def status(self, refund_no: str) -> RefundStatus:
        """The refund now (a processing one past its delay reads, and stays, refunded)."""
        with self.db.transaction() as session:
            row = session.scalar(select(RefundRow).where(RefundRow.refund_no == refund_no))
            if row is None:
                raise refund_not_found(refund_no)
            return self._status(_settled(row, self.now()))

    def refunded_fen(self, notice_no: str) -> int:
        """What has been refunded of a notice so far (the pay page shows it)."""
        with self.db.transaction() as session:
            total = session.scalar(
                select(func.coalesce(func.sum(RefundRow.amount_fen), 0)).where(
                    RefundRow.notice_no == notice_no, RefundRow.state == "refunded"
                )
            )
            return int(total or 0)

    def of_day(self, day: date) -> list[RefundStatus]:
        """The refunds done on that day in Beijing time, in the order they were done (for the statement)."""
        start, end = day_bounds(day)
        now = self.now()
        with self.db.transaction() as session:
            for row in session.scalars(
                select(RefundRow).where(RefundRow.state == "processing", RefundRow.due_at <= now)
            ):
                _settled(row, now)
            session.flush()
            rows = session.scalars(
                select(RefundRow)
                .where(RefundRow.state == "refunded")
                .where(
                    RefundRow.refunded_at >= start,
                    RefundRow.refunded_at < end,
                )
                .order_by(RefundRow.refunded_at, RefundRow.id)
            ).all()
            return [self._status(row) for row in rows]

    def _status(self, row: RefundRow) -> RefundStatus:
        state: RefundState = row.state  # type: ignore[assignment]  # the column holds a RefundState
        return RefundStatus(
            refund_no=row.refund_no,
            notice_no=row.notice_no,
            amount_fen=row.amount_fen,
            state=state,
            refunded_at=utc(row.refunded_at) if row.refunded_at else None,
            failure=row.failure,
        )


def _check_request(request: RefundRequest) -> None:
    """The platform's own checks of a refund request (a real one has more)."""
    if not _REFUND_NO.fullmatch(request.refund_no):
        raise bad_request("退付单号须为 1 至 64 位字母、数字、下划线或连字符。")
    if request.amount_fen <= 0:
        raise bad_request("退付金额必须大于零。")
    if not 0 < len(request.reason) <= MAX_REASON:
        raise bad_request(f"退付原因不能为空，且不超过 {MAX_REASON} 个字。")


def _settled(row: RefundRow, now: datetime) -> RefundRow:
    """The row, marked refunded (at its due time) when it was processing and that time has come."""
    if row.state == "processing" and row.due_at is not None and now >= utc(row.due_at):
        row.state, row.refunded_at = "refunded", utc(row.due_at)
    return row


def _taken_fen(session: Session, notice_no: str) -> int:
    """What the notice's refunds not failed (processing or refunded) take of its payment."""
    total = session.scalar(
        select(func.coalesce(func.sum(RefundRow.amount_fen), 0)).where(
            RefundRow.notice_no == notice_no, RefundRow.state != "failed"
        )
    )
    return int(total or 0)
