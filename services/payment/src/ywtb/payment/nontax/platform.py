"""What the payment service needs of the province's 非税收入统一缴款平台, whatever adapter talks to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from ywtb.common.errors import InvalidArgument
from ywtb.common.signed_http.errors import PartnerRefused, PartnerUnavailable

NoticeState = Literal["unpaid", "paid", "expired", "cancelled"]
NOTICE_STATES: tuple[NoticeState, ...] = ("unpaid", "paid", "expired", "cancelled")
RefundState = Literal["processing", "refunded", "failed"]
REFUND_STATES: tuple[RefundState, ...] = ("processing", "refunded", "failed")


@dataclass(frozen=True)
class NoticeRequest:
    """缴款通知书申请: what the service asks the platform to collect for one order."""

    order_no: str
    tenant: str
    dept: str
    payer_name: str
    amount_fen: int
    items: tuple[tuple[str, int], ...]  # (fee name, amount in fen); the amounts add up to amount_fen
    expires_at: datetime


@dataclass(frozen=True)
class Notice:
    """缴款通知书: the platform's opaque number, where the payer pays, until when."""

    notice_no: str
    pay_url: str
    expires_at: datetime


@dataclass(frozen=True)
class NoticeStatus:
    """The platform's view of one notice (the status query's answer)."""

    notice_no: str
    order_no: str
    amount_fen: int
    state: NoticeState
    paid_fen: int  # 0 unless paid; may differ from amount_fen (the platform's own mismatch)
    paid_at: datetime | None
    receipt_no: str  # 财政电子票据号, "" unless paid
    channel: str  # "" unless paid


@dataclass(frozen=True)
class Payment:
    """One payment, as a callback or a statement line (对账单明细) tells it."""

    notice_no: str
    order_no: str
    paid_fen: int
    paid_at: datetime
    receipt_no: str
    channel: str


@dataclass(frozen=True)
class RefundRequest:
    """退付申请: give back part or all of a paid notice's money to its payer."""

    refund_no: str  # the service's number: the platform's idempotency key
    notice_no: str
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class RefundStatus:
    """The platform's view of one refund: processing, refunded (with when), or failed (with why)."""

    refund_no: str
    notice_no: str
    amount_fen: int
    state: RefundState
    refunded_at: datetime | None  # None unless refunded
    failure: str  # "" unless failed


class PlatformUnavailable(PartnerUnavailable):
    """The platform could not be asked: network error, timeout, 5xx, refused signature, unverifiable answer."""

    default_message = "非税收入统一缴款平台暂时无法访问，请稍后重试。"


class PlatformRefused(PartnerRefused):
    """The platform answered 4xx: the request is wrong for it (its code and message are kept)."""


class CallbackRejected(InvalidArgument):
    """A callback whose signature, timestamp, nonce or shape is wrong: not from the platform, or replayed."""

    default_message = "缴款回调校验失败。"

    def __init__(self, detail: str) -> None:
        super().__init__(message_en=detail)

    def __str__(self) -> str:
        return self.message_en or self.message


class NonTaxPlatform(Protocol):
    """The platform as the payment service uses it; HttpNonTaxPlatform is the shipped adapter."""

    def issue_notice(self, request: NoticeRequest) -> Notice:
        """The notice of the order; idempotent by order_no (the same order gets the same notice)."""
        ...

    def status(self, notice_no: str) -> NoticeStatus:
        """The notice as the platform knows it now."""
        ...

    def cancel(self, notice_no: str) -> NoticeStatus:
        """Cancel an unpaid notice; a paid one is refused (PlatformRefused)."""
        ...

    def refund(self, request: RefundRequest) -> RefundStatus:
        """Ask for a refund; idempotent by refund_no (the same refund asked again answers its status); a
        refund beyond what is left of the payment, or of an unpaid notice, is refused (PlatformRefused)."""
        ...

    def refund_status(self, refund_no: str) -> RefundStatus:
        """The refund as the platform knows it now."""
        ...

    def statement(self, day: date) -> list[Payment]:
        """对账单: the payments of that day (Beijing time)."""
        ...

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> Payment:
        """The payment a callback reports; CallbackRejected when its signature, timestamp or shape is wrong."""
        ...
