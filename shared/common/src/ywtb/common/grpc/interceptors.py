"""Server interceptors: tracing, error mapping, deadlines, signed principal and tenant."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import grpc
from opentelemetry import propagate, trace

from ywtb.common.auth.signing import has_signed_principal, verify_principal
from ywtb.common.context import bound
from ywtb.common.errors import DeadlineExceeded, Internal, YwtbError
from ywtb.common.grpc.access import CLOSED, Access
from ywtb.common.grpc.metadata import (
    ALWAYS_ALLOWED_PREFIXES,
    CASE_NO_HEADER,
    ERROR_HEADER,
    REQUEST_ID_HEADER,
    current_deadline,
    deadline_from_remaining,
    split_method,
    text_metadata,
)

log = logging.getLogger("ywtb.common.grpc")


class _ContextInterceptor(grpc.ServerInterceptor):
    """Base: run every method's behaviour (and its whole response stream) inside `self.scope(...)`."""

    def scope(self, context: grpc.ServicerContext, details: Any) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def applies_to(self, method: str) -> bool:
        return True

    def intercept_service(self, continuation: Callable[..., Any], handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or not self.applies_to(handler_call_details.method):
            return handler
        return _wrap_handler(handler, lambda context: self.scope(context, handler_call_details))


def _wrap_handler(handler: Any, scope: Callable[[grpc.ServicerContext], AbstractContextManager[Any]]) -> Any:
    """The same handler with its behaviour run inside `scope(context)`."""

    def unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
        def run(request: Any, context: grpc.ServicerContext) -> Any:
            with scope(context):
                return behavior(request, context)

        return run

    def streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
        def run(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            with scope(context):
                yield from behavior(request, context)

        return run

    kwargs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **kwargs)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), **kwargs)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), **kwargs)
    if handler.stream_stream:
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), **kwargs)
    return handler


def _code_of(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    code = getattr(context, "code", None)
    return code() if callable(code) else None


class TracingInterceptor(_ContextInterceptor):
    """Continue the caller's W3C trace (traceparent metadata) in a server span named after the method."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._tracer = trace.get_tracer("ywtb.common.grpc", tracer_provider=tracer_provider)

    @contextlib.contextmanager
    def scope(self, context: grpc.ServicerContext, details: Any) -> Iterator[None]:
        service, method = split_method(details.method)
        with self._tracer.start_as_current_span(
            details.method.lstrip("/"),
            context=propagate.extract(text_metadata(details.invocation_metadata)),
            kind=trace.SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            failed = True
            try:
                yield
                failed = False
            finally:
                code = _code_of(context) or (grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK)
                span.set_attribute("rpc.grpc.status_code", code.value[0])
                if code is not grpc.StatusCode.OK:
                    span.set_status(trace.Status(trace.StatusCode.ERROR, code.name))


class ErrorInterceptor(_ContextInterceptor):
    """YwtbError → its gRPC status, message and JSON trailer; anything else → INTERNAL, logged, no detail."""

    @contextlib.contextmanager
    def scope(self, context: grpc.ServicerContext, details: Any) -> Iterator[None]:
        try:
            yield
        except YwtbError as exc:
            log.info("rpc %s failed: %s %s", details.method, exc.code, exc.message_en or exc.message)
            _abort(context, exc)
        except Exception:
            if _code_of(context) not in (None, grpc.StatusCode.OK):
                raise  # the handler aborted the call itself
            log.exception("unhandled error in rpc %s", details.method)
            _abort(context, Internal())


def _abort(context: grpc.ServicerContext, error: YwtbError) -> None:
    """Abort the call with the error's status and message, and its JSON in the trailer."""
    body = json.dumps({**error.to_dict(), "http_status": error.http_status}, ensure_ascii=False).encode(
        "utf-8"
    )
    context.set_trailing_metadata(((ERROR_HEADER, body),))
    context.abort(error.grpc_status, error.message)


class DeadlineInterceptor(_ContextInterceptor):
    """Reject a call whose deadline has already passed; bind the deadline for time_remaining()."""

    @contextlib.contextmanager
    def scope(self, context: grpc.ServicerContext, details: Any) -> Iterator[None]:
        remaining = context.time_remaining()
        deadline = deadline_from_remaining(remaining)
        if deadline is not None and remaining is not None and remaining <= 0:
            raise DeadlineExceeded(message_en=f"the deadline of {details.method} passed before it ran")
        token = current_deadline.set(deadline)
        try:
            yield
        finally:
            current_deadline.reset(token)


class PrincipalInterceptor(_ContextInterceptor):
    """Verify the signed principal, apply the method's access declaration (a method without one admits
    nobody); bind principal, tenant, case number and request id for the call."""

    def __init__(self, signing_key: bytes, max_age_s: float = 300) -> None:
        self._key = signing_key
        self.access: dict[str, Access] = {}  # full method name -> its declaration (filled by build_server)
        self._max_age_s = max_age_s

    def applies_to(self, method: str) -> bool:
        return not method.startswith(ALWAYS_ALLOWED_PREFIXES)

    def scope(self, context: grpc.ServicerContext, details: Any) -> AbstractContextManager[Any]:
        metadata = details.invocation_metadata or ()
        principal = None
        if has_signed_principal(metadata):
            principal = verify_principal(metadata, self._key, max_age_s=self._max_age_s)
        self.access.get(details.method, CLOSED).check(details.method, principal)
        md = text_metadata(metadata)
        return bound(
            principal=principal,
            case_no=md.get(CASE_NO_HEADER) or None,
            request_id=md.get(REQUEST_ID_HEADER) or None,
        )
