"""HttpNonTaxPlatform: the platform over its signed JSON-over-HTTP wire (README.md beside this file)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ywtb.common.signed_http.client import SignedClient, segment
from ywtb.common.signed_http.nonces import MemoryNonceStore, NonceStore
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
from ywtb.payment.nontax.signing import NONTAX, SignatureInvalid, check_key
from ywtb.payment.nontax.wire import (
    WireError,
    field,
    loads,
    notice_from_json,
    payment_from_json,
    refund_request_to_json,
    refund_status_from_json,
    request_to_json,
    statement_from_json,
    status_from_json,
)

DEFAULT_CALLBACK_PATH = "/nontax/callback"


class HttpNonTaxPlatform:
    """The NonTaxPlatform at base_url: every request signed, every answer's signature verified."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout_s: float = 5.0,
        callback_path: str = DEFAULT_CALLBACK_PATH,
        nonces: NonceStore | None = None,
    ) -> None:
        self._key = check_key(key)
        self._callback_path = callback_path
        self._nonces = nonces if nonces is not None else MemoryNonceStore()
        self._client = SignedClient(
            base_url,
            self._key,
            NONTAX,
            unavailable=PlatformUnavailable,
            refused=PlatformRefused,
            timeout_s=timeout_s,
            refusal_message="平台拒绝了请求",
        )
        self.base_url = self._client.base_url

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpNonTaxPlatform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def issue_notice(self, request: NoticeRequest) -> Notice:
        """The notice of the order; idempotent by order_no (the same order gets the same notice)."""
        return self._client.answer(notice_from_json, "POST", "/v1/notices", request_to_json(request))

    def status(self, notice_no: str) -> NoticeStatus:
        """The notice as the platform knows it now."""
        return self._client.answer(status_from_json, "GET", f"/v1/notices/{segment(notice_no)}")

    def cancel(self, notice_no: str) -> NoticeStatus:
        """Cancel an unpaid notice; a paid one is refused (PlatformRefused, 409)."""
        return self._client.answer(status_from_json, "POST", f"/v1/notices/{segment(notice_no)}/cancel", {})

    def refund(self, request: RefundRequest) -> RefundStatus:
        """Ask for a refund; idempotent by refund_no; more than is left of the payment: refused (409)."""
        return self._client.answer(
            refund_status_from_json, "POST", "/v1/refunds", refund_request_to_json(request)
        )

    def refund_status(self, refund_no: str) -> RefundStatus:
        """The refund as the platform knows it now."""
        return self._client.answer(refund_status_from_json, "GET", f"/v1/refunds/{segment(refund_no)}")

    def statement(self, day: date) -> list[Payment]:
        """对账单: the payments of that day (Beijing time)."""

        def lines(body: dict[str, Any]) -> list[Payment]:
            if field(body, "day", str) != day.isoformat():
                raise WireError(f"statement of {body['day']!r} instead of {day.isoformat()}")
            return statement_from_json(body)

        return self._client.answer(lines, "GET", f"/v1/statements/{day.isoformat()}")

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> Payment:
        """The payment a callback reports; CallbackRejected when its signature, timestamp or shape is wrong."""
        try:
            NONTAX.verify(self._key, "POST", self._callback_path, body, headers, nonces=self._nonces)
        except SignatureInvalid as error:
            raise CallbackRejected(f"callback refused: {error}") from error
        try:
            return payment_from_json(loads(body))
        except WireError as error:
            raise CallbackRejected(f"callback of the wrong shape: {error}") from error

    def exchange(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One signed exchange; the verified JSON answer (the simulator's test switches use it too)."""
        return self._client.exchange(method, path, body)
