"""SignedClient: a partner's signed JSON-over-HTTP API (httpx, sync); every request signed, every answer verified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ywtb.common.signed_http.bodies import WireError, dumps, loads
from ywtb.common.signed_http.signing import RESPONSE, HmacSigning, SignatureInvalid

T = TypeVar("T")
Unavailable = Callable[[str], Exception]  # detail -> the adapter's "cannot be asked, retry later" error
Refused = Callable[[int, str, str], Exception]  # (status, code, message) -> the adapter's 4xx error


class SignedClient:
    """The partner at base_url; transport errors, 5xx, 401 and unverifiable answers raise `unavailable`, other
    4xx raise `refused` with the partner's code and Chinese message."""

    def __init__(
        self,
        base_url: str,
        key: str,
        signing: HmacSigning,
        *,
        unavailable: Unavailable,
        refused: Refused,
        timeout_s: float = 5.0,
        refusal_message: str = "对方系统拒绝了请求",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = key
        self._signing = signing
        self._unavailable = unavailable
        self._refused = refused
        self._refusal_message = refusal_message
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def exchange(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One signed exchange; the verified JSON answer."""
        content = dumps(body) if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        request = self._client.build_request(method, path, content=content, headers=headers)
        request.headers.update(self._signing.sign(self._key, method, request.url.path, content))
        where = f"{method} {self.base_url}{path}"
        try:
            response = self._client.send(request)
        except httpx.TimeoutException as error:
            raise self._unavailable(f"{where}: timed out ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise self._unavailable(f"{where}: {type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise self._unavailable(f"{where}: answered {response.status_code}")
        try:
            self._signing.verify(self._key, RESPONSE, request.url.path, response.content, response.headers)
        except SignatureInvalid as error:
            raise self._unavailable(
                f"{where}: answer {response.status_code} not signed by the platform ({error}); check the key"
            ) from error
        try:
            answer = loads(response.content)
        except WireError as error:
            raise self._unavailable(
                f"{where}: answer {response.status_code} is not JSON ({error})"
            ) from error
        if response.status_code == 401:
            raise self._unavailable(f"{where}: the platform refused our signature: {self._message(answer)}")
        if response.status_code >= 400:
            code = answer.get("code")
            raise self._refused(
                response.status_code, code if isinstance(code, str) else "", self._message(answer)
            )
        if response.status_code not in (200, 201):
            raise self._unavailable(f"{where}: unexpected status {response.status_code}")
        return answer

    def answer(
        self, parse: Callable[[dict[str, Any]], T], method: str, path: str, body: dict[str, Any] | None = None
    ) -> T:
        """One exchange, its answer parsed; an answer of the wrong shape raises `unavailable`."""
        answer = self.exchange(method, path, body)
        try:
            return parse(answer)
        except WireError as error:
            raise self._unavailable(
                f"{method} {self.base_url}{path}: answer of the wrong shape: {error}"
            ) from error

    def _message(self, answer: dict[str, Any]) -> str:
        """The partner's message of an error answer."""
        for key in ("message", "detail"):
            value = answer.get(key)
            if isinstance(value, str) and value:
                return value
        return self._refusal_message


def segment(value: str) -> str:
    """An opaque value (a number, a code) as one path segment: whatever it holds is quoted."""
    return quote(value, safe="")
