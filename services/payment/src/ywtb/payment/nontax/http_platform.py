"""HttpNonTaxPlatform: the platform over its signed JSON-over-HTTP wire (README.md beside this file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ywtb.payment.nontax.nonces import MemoryNonceStore, NonceStore
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
from ywtb.payment.nontax.signing import RESPONSE, SignatureInvalid, check_key, sign, verify
from ywtb.payment.nontax.wire import (
    WireError,
    dumps,
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
T = TypeVar("T")


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
        self.base_url = base_url.rstrip("/")
        self._key = check_key(key)
        self._callback_path = callback_path
        self._nonces = nonces if nonces is not None else MemoryNonceStore()
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpNonTaxPlatform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def issue_notice(self, request: NoticeRequest) -> Notice:
        """The notice of the order; idempotent by order_no (the same order gets the same notice)."""
        return self._answer(notice_from_json, "POST", "/v1/notices", request_to_json(request))

    def status(self, notice_no: str) -> NoticeStatus:
        """The notice as the platform knows it now."""
        return self._answer(status_from_json, "GET", f"/v1/notices/{_segment(notice_no)}")

    def cancel(self, notice_no: str) -> NoticeStatus:
        """Cancel an unpaid notice; a paid one is refused (PlatformRefused, 409)."""
        return self._answer(status_from_json, "POST", f"/v1/notices/{_segment(notice_no)}/cancel", {})

    def refund(self, request: RefundRequest) -> RefundStatus:
        """Ask for a refund; idempotent by refund_no; more than is left of the payment: refused (409)."""
        return self._answer(refund_status_from_json, "POST", "/v1/refunds", refund_request_to_json(request))

    def refund_status(self, refund_no: str) -> RefundStatus:
        """The refund as the platform knows it now."""
        return self._answer(refund_status_from_json, "GET", f"/v1/refunds/{_segment(refund_no)}")

    def statement(self, day: date) -> list[Payment]:
        """对账单: the payments of that day (Beijing time)."""

        def lines(body: dict[str, Any]) -> list[Payment]:
            if field(body, "day", str) != day.isoformat():
                raise WireError(f"statement of {body['day']!r} instead of {day.isoformat()}")
            return statement_from_json(body)

        return self._answer(lines, "GET", f"/v1/statements/{day.isoformat()}")

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> Payment:
        """The payment a callback reports; CallbackRejected when its signature, timestamp or shape is wrong."""
        try:
            verify(self._key, "POST", self._callback_path, body, headers, nonces=self._nonces)
        except SignatureInvalid as error:
            raise CallbackRejected(f"callback refused: {error}") from error
        try:
            return payment_from_json(loads(body))
        except WireError as error:
            raise CallbackRejected(f"callback of the wrong shape: {error}") from error

    def exchange(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One signed exchange; the verified JSON answer (the simulator's test switches use it too)."""
        content = dumps(body) if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        request = self._client.build_request(method, path, content=content, headers=headers)
        request.headers.update(sign(self._key, method, request.url.path, content))
        where = f"{method} {self.base_url}{path}"
        try:
            response = self._client.send(request)
        except httpx.TimeoutException as error:
            raise PlatformUnavailable(f"{where}: timed out ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise PlatformUnavailable(f"{where}: {type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise PlatformUnavailable(f"{where}: answered {response.status_code}")
        try:
            verify(self._key, RESPONSE, request.url.path, response.content, response.headers)
        except SignatureInvalid as error:
            raise PlatformUnavailable(
                f"{where}: answer {response.status_code} not signed by the platform ({error}); check the key"
            ) from error
        answer = _json_or_unavailable(response, where)
        if response.status_code == 401:
            raise PlatformUnavailable(f"{where}: the platform refused our signature: {_message(answer)}")
        if response.status_code >= 400:
            code = answer.get("code")
            raise PlatformRefused(
                response.status_code, code if isinstance(code, str) else "", _message(answer)
            )
        if response.status_code not in (200, 201):
            raise PlatformUnavailable(f"{where}: unexpected status {response.status_code}")
        return answer

    def _answer(
        self, parse: Callable[[dict[str, Any]], T], method: str, path: str, body: dict[str, Any] | None = None
    ) -> T:
        where = f"{method} {self.base_url}{path}"
        answer = self.exchange(method, path, body)
        try:
            return parse(answer)
        except WireError as error:
            raise PlatformUnavailable(f"{where}: answer of the wrong shape: {error}") from error


def _segment(value: str) -> str:
    """A notice or refund number as one path segment (it is opaque: quote whatever it holds)."""
    return quote(value, safe="")


def _json_or_unavailable(response: httpx.Response, where: str) -> dict[str, Any]:
    try:
        return loads(response.content)
    except WireError as error:
        raise PlatformUnavailable(f"{where}: answer {response.status_code} is not JSON ({error})") from error


def _message(answer: dict[str, Any]) -> str:
    """The platform's message of an error answer."""
    for key in ("message", "detail"):
        value = answer.get(key)
        if isinstance(value, str) and value:
            return value
    return "平台拒绝了请求"
