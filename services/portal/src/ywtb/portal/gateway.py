"""The gateway's REST API as the portal calls it: JSON in, JSON out, errors as GatewayError."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

MSG_UNAVAILABLE = "服务暂时不可用，请稍后重试；您填写的内容已保留。"
MSG_UNAVAILABLE_EN = "The service is temporarily unavailable; please retry. What you entered is kept."


class GatewayError(Exception):
    """A refused or failed gateway call: HTTP status, error code, Chinese message, field messages."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str = "",
        fields: Mapping[str, str] | None = None,
        request_id: str = "",
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.fields = dict(fields or {})
        self.request_id = request_id

    def field_errors(self) -> dict[str, str]:
        """Field messages keyed by the form field name (`body.form.name` → `form.name`)."""
        errors = {}
        for key, message in self.fields.items():
            name = key.removeprefix("body.").removeprefix("query.").removeprefix("path.")
            errors[name] = message
        return errors


def _error(response: httpx.Response) -> GatewayError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GatewayError(response.status_code, "UNKNOWN", MSG_UNAVAILABLE, MSG_UNAVAILABLE_EN)
    return GatewayError(
        response.status_code,
        str(error.get("code", "UNKNOWN")),
        str(error.get("message", "")),
        str(error.get("message_en", "")),
        error.get("fields") or {},
        str(body.get("request_id", "")),
    )


class Gateway:
    """A pooled HTTP client of the gateway."""

    def __init__(self, base_url: str, timeout_s: float = 15.0, transport: httpx.BaseTransport | None = None):
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport)

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the gateway; the decoded JSON body (None when empty), or GatewayError."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        params = {k: v for k, v in (params or {}).items() if v not in (None, "", [])}
        try:
            response = self._http.request(
                method, path, params=params, json=json, files=files, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise GatewayError(503, "UNAVAILABLE", MSG_UNAVAILABLE, MSG_UNAVAILABLE_EN) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response.json() if response.content else None

    @contextmanager
    def download(self, path: str, token: str) -> Iterator[httpx.Response]:
        """Stream a file from the gateway (the response is open inside the block)."""
        request = self._http.build_request("GET", path, headers={"Authorization": f"Bearer {token}"})
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise GatewayError(503, "UNAVAILABLE", MSG_UNAVAILABLE, MSG_UNAVAILABLE_EN) from exc
        try:
            if response.status_code >= 400:
                response.read()
                raise _error(response)
            yield response
        finally:
            response.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()
