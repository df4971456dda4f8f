"""Async gRPC stubs (grpc.aio) for the gateway's async routes: no thread pool between a request and its call.

Each call carries what ywtb.common.grpc.client's ClientInterceptor adds to a blocking call (the caller's
principal signed with the internal key, traceparent, request id, case number, the default deadline),
opens the same client span, and maps a failed call to YwtbError with the same error_from_rpc. The
channel has the same service config (retries of the read methods on UNAVAILABLE, round_robin over
replicas). Interceptors of grpc.aio are not used: they add a task per call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import grpc
from opentelemetry import trace

from ywtb.common.grpc.client import (
    DEFAULT_TIMEOUT_S,
    call_metadata,
    call_timeout,
    channel_options,
    error_from_rpc,
)

_tracer = trace.get_tracer("ywtb.common.grpc")


def aio_channel(target: str, idempotent_methods: Iterable[str] = ()) -> grpc.aio.Channel:
    """An insecure grpc.aio channel with ywtb.common.grpc.channel's options (retries, round_robin)."""
    target, options = channel_options(target, idempotent_methods)
    return grpc.aio.insecure_channel(target, options)


class ResponseStream:
    """A server stream whose gRPC errors surface as YwtbError (`async for` or `await anext(stream)`)."""

    def __init__(self, call: Any) -> None:
        self._messages = call.__aiter__()
        self.call = call

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self._messages.__anext__()
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc


class AsyncStub:
    """`await stub.Method(request)` for every method of a generated stub class of `service`
    (e.g. ywtb.api.catalog.v1.CatalogService), over grpc.aio; a server stream is a ResponseStream.

    A grpc.aio channel belongs to the event loop it was made on: one channel per running loop (one in
    the server; the test client runs a loop per client)."""

    def __init__(
        self,
        stub_class: Callable[[Any], Any],
        service: str,
        target: str,
        signing_key: bytes,
        reads: Iterable[str] = (),
        default_timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._stub_class = stub_class
        self._service = service
        self._target = target
        self._key = signing_key
        self._reads = list(reads)
        self._default_timeout_s = default_timeout_s
        self._stubs: dict[asyncio.AbstractEventLoop, tuple[grpc.aio.Channel, Any]] = {}
        self._methods: dict[str, Callable[..., Any]] = {}

    def _stub(self) -> Any:
        loop = asyncio.get_running_loop()
        made = self._stubs.get(loop)
        if made is None:
            for old in [old for old in self._stubs if old.is_closed()]:
                del self._stubs[old]
            channel = aio_channel(self._target, self._reads)
            made = self._stubs[loop] = (channel, self._stub_class(channel))
        return made[1]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        method = self._methods.get(name)
        if method is None:
            method = self._methods[name] = self._method(name)
        return method

    def _method(self, name: str) -> Callable[..., Any]:
        streaming = isinstance(getattr(self._stub(), name), grpc.aio.UnaryStreamMultiCallable)
        attributes = {"rpc.system": "grpc", "rpc.service": self._service, "rpc.method": name}
        span_name = f"{self._service}/{name}"

        if streaming:

            def stream(request: Any, timeout: float | None = None, metadata: Any = None) -> ResponseStream:
                call = getattr(self._stub(), name)(
                    request,
                    timeout=call_timeout(timeout, self._default_timeout_s),
                    metadata=call_metadata(self._key, metadata),
                )
                return ResponseStream(call)

            return stream

        async def unary(request: Any, timeout: float | None = None, metadata: Any = None) -> Any:
            with _tracer.start_as_current_span(
                span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
            ) as span:
                try:
                    return await getattr(self._stub(), name)(
                        request,
                        timeout=call_timeout(timeout, self._default_timeout_s),
                        metadata=call_metadata(self._key, metadata),
                    )
                except grpc.RpcError as exc:
                    status = exc.code() if callable(getattr(exc, "code", None)) else grpc.StatusCode.UNKNOWN
                    span.set_attribute("rpc.grpc.status_code", status.value[0])
                    span.set_status(trace.Status(trace.StatusCode.ERROR, status.name))
                    raise error_from_rpc(exc) from exc

        return unary

    async def close(self) -> None:
        """Close the channel of the running loop (at the app's shutdown)."""
        made = self._stubs.pop(asyncio.get_running_loop(), None)
        if made is not None:
            await made[0].close()
