"""The wire's JSON bodies (snake_case), both ways, on ywtb.common.signed_http.bodies; WireError if wrong."""

from __future__ import annotations

from typing import Any

from ywtb.common.signed_http.bodies import (
    WireError,
    field,
    format_time,
    objects,
    time_field,
)
from ywtb.common.signed_http.bodies import dumps as dumps  # re-exported: the wire's bodies, both sides
from ywtb.common.signed_http.bodies import loads as loads
from ywtb.common.signed_http.bodies import parse_time as parse_time
from ywtb.payment.nontax.platform import (
    NOTICE_STATES,
    REFUND_STATES,
    Notice,
    NoticeRequest,
    NoticeStatus,
    Payment,
    RefundRequest,
    RefundStatus,
)


def request_to_json(request: NoticeRequest) -> dict[str, Any]:
    """POST /v1/notices body."""
    return {
        "order_no": request.order_no,
        "tenant": request.tenant,
        "dept": request.dept,
        "payer_name": request.payer_name,
        "amount_fen": request.amount_fen,
        "items": [{"name": name, "amount_fen": fen} for name, fen in request.items],
        "expires_at": format_time(request.expires_at),
    }


def request_from_json(body: dict[str, Any]) -> NoticeRequest:
    """A NoticeRequest from POST /v1/notices."""
    items = objects(body, "items")
    return NoticeRequest(
        order_no=field(body, "order_no", str),
        tenant=field(body, "tenant", str),
        dept=field(body, "dept", str),
        payer_name=field(body, "payer_name", str),
        amount_fen=field(body, "amount_fen", int),
        items=tuple((field(item, "name", str), field(item, "amount_fen", int)) for item in items),
        expires_at=time_field(body, "expires_at"),
    )


def notice_to_json(notice: Notice) -> dict[str, Any]:
    """POST /v1/notices answer."""
    return {
        "notice_no": notice.notice_no,
        "pay_url": notice.pay_url,
        "expires_at": format_time(notice.expires_at),
    }


def notice_from_json(body: dict[str, Any]) -> Notice:
    """A Notice from POST /v1/notices."""
    return Notice(
        notice_no=field(body, "notice_no", str),
        pay_url=field(body, "pay_url", str),
        expires_at=time_field(body, "expires_at"),
    )


def status_to_json(status: NoticeStatus) -> dict[str, Any]:
    """GET /v1/notices/{notice_no} answer (and the cancel's)."""
    return {
        "notice_no": status.notice_no,
        "order_no": status.order_no,
        "amount_fen": status.amount_fen,
        "state": status.state,
        "paid_fen": status.paid_fen,
        "paid_at": format_time(status.paid_at) if status.paid_at else None,
        "receipt_no": status.receipt_no,
        "channel": status.channel,
    }


def status_from_json(body: dict[str, Any]) -> NoticeStatus:
    """A NoticeStatus from GET /v1/notices/{notice_no}."""
    state = field(body, "state", str)
    if state not in NOTICE_STATES:
        raise WireError(f"state: unknown {state[:20]!r}")
    paid_at = body.get("paid_at")
    return NoticeStatus(
        notice_no=field(body, "notice_no", str),
        order_no=field(body, "order_no", str),
        amount_fen=field(body, "amount_fen", int),
        state=state,
        paid_fen=field(body, "paid_fen", int),
        paid_at=None if paid_at is None else time_field(body, "paid_at"),
        receipt_no=field(body, "receipt_no", str),
        channel=field(body, "channel", str),
    )


def payment_to_json(payment: Payment) -> dict[str, Any]:
    """A callback's body, or one line of a statement."""
    return {
        "notice_no": payment.notice_no,
        "order_no": payment.order_no,
        "paid_fen": payment.paid_fen,
        "paid_at": format_time(payment.paid_at),
        "receipt_no": payment.receipt_no,
        "channel": payment.channel,
    }


def payment_from_json(body: dict[str, Any]) -> Payment:
    """A Payment from a callback's body or a statement line."""
    return Payment(
        notice_no=field(body, "notice_no", str),
        order_no=field(body, "order_no", str),
        paid_fen=field(body, "paid_fen", int),
        paid_at=time_field(body, "paid_at"),
        receipt_no=field(body, "receipt_no", str),
        channel=field(body, "channel", str),
    )


def statement_from_json(body: dict[str, Any]) -> list[Payment]:
    """The lines of GET /v1/statements/{day}."""
    return [payment_from_json(line) for line in objects(body, "lines")]


def refund_request_to_json(request: RefundRequest) -> dict[str, Any]:
    """POST /v1/refunds body."""
    return {
        "refund_no": request.refund_no,
        "notice_no": request.notice_no,
        "amount_fen": request.amount_fen,
        "reason": request.reason,
    }


def refund_request_from_json(body: dict[str, Any]) -> RefundRequest:
    """A RefundRequest from POST /v1/refunds."""
    return RefundRequest(
        refund_no=field(body, "refund_no", str),
        notice_no=field(body, "notice_no", str),
        amount_fen=field(body, "amount_fen", int),
        reason=field(body, "reason", str),
    )


def refund_status_to_json(status: RefundStatus) -> dict[str, Any]:
    """POST /v1/refunds and GET /v1/refunds/{refund_no} answer, and one refund of a statement."""
    return {
        "refund_no": status.refund_no,
        "notice_no": status.notice_no,
        "amount_fen": status.amount_fen,
        "state": status.state,
        "refunded_at": format_time(status.refunded_at) if status.refunded_at else None,
        "failure": status.failure,
    }


def refund_status_from_json(body: dict[str, Any]) -> RefundStatus:
    """A RefundStatus from POST /v1/refunds or GET /v1/refunds/{refund_no}."""
    state = field(body, "state", str)
    if state not in REFUND_STATES:
        raise WireError(f"state: unknown {state[:20]!r}")
    refunded_at = body.get("refunded_at")
    return RefundStatus(
        refund_no=field(body, "refund_no", str),
        notice_no=field(body, "notice_no", str),
        amount_fen=field(body, "amount_fen", int),
        state=state,
        refunded_at=None if refunded_at is None else time_field(body, "refunded_at"),
        failure=field(body, "failure", str),
    )
