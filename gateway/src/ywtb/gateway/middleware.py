"""Request middleware: request id, body size limit, access log, last-resort 500."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ywtb.common.context import bound
from ywtb.common.http_body import BodyTooLarge, declared_too_large, limited_receive
from ywtb.gateway.errors import http_error_response, internal_error_response

REQUEST_ID_HEADER = "X-Request-ID"
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
_WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})
# Path parameters that are keys (a visit's rating code, a share link, a 查询码): never written to the log.
SECRET_PARAMS = frozenset({"token", "ref"})

access_logger = logging.getLogger("ywtb.gateway.access")
logger = logging.getLogger("ywtb.gateway.middleware")


def request_id_from(headers: Headers) -> str:
    """The caller's X-Request-ID when well formed, else a new uuid4."""
    incoming = headers.get(REQUEST_ID_HEADER, "")
    return incoming if _WELL_FORMED_REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())


class RequestContextMiddleware:
    """Binds the request id, enforces the body size limit, logs each request and hides crashes."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_from(headers)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with bound(request_id=request_id):
            try:
                if declared_too_large(headers, self.max_body_bytes):
                    too_large = BodyTooLarge()
                    await http_error_response(413, too_large.headers)(scope, receive, send_with_request_id)
                else:
                    await self.app(scope, limited_receive(receive, self.max_body_bytes), send_with_request_id)
            except BodyTooLarge as exc:
                if response_started:
                    raise
                await http_error_response(413, exc.headers)(scope, receive, send_with_request_id)
            except Exception:
                logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
                if response_started:
                    raise
                await internal_error_response()(scope, receive, send_with_request_id)
            finally:
                self._log(scope, status, started)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        level = logging.DEBUG if scope["path"] in _QUIET_PATHS and status < 400 else logging.INFO
        path = logged_path(scope)
        access_logger.log(
            level,
            "%s %s %d %.1fms",
            scope["method"],
            path,
            status,
            duration_ms,
            extra={
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
            },
        )


def logged_path(scope: Scope) -> str:
    """The request's path with the values of SECRET_PARAMS masked (the route's parameters, once routed)."""
    path = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        if name in SECRET_PARAMS and value:
            path = path.replace(str(value), "***")
    return path
