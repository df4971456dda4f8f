"""Client channels: signed principal, traceparent, request id, default deadline, retries, error mapping.

A target may name several replicas: `127.0.0.1:50063,127.0.0.1:50163` (a static list, e.g. `make up`
with replicas) or `dns:///ywtb-intake-headless:50063` (every address of a Kubernetes headless Service);
both get the round_robin policy, so calls spread over the replicas instead of sticking to one connection.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import grpc
from opentelemetry import propagate, trace

from ywtb.common.auth.principal import Principal
from ywtb.common.auth.signing import PRINCIPAL_HEADER, sign_principal
from ywtb.common.context import current_case_no, current_principal, current_request_id
from ywtb.common.errors import YwtbError, error_class_for
from ywtb.common.grpc.metadata import (
    CASE_NO_HEADER,
    ERROR_HEADER,
    REQUEST_ID_HEADER,
    split_method,
    time_remaining,
)

DEFAULT_TIMEOUT_S = 5.0
REPLICA_RECONNECT_BACKOFF_MS = 1000
RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.1s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Sequence[tuple[str, str | bytes]] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class _ClientCallDetails(_CallDetails, grpc.ClientCallDetails):
    """Concrete grpc.ClientCallDetails."""


def retry_service_config(idempotent_methods: Iterable[str]) -> dict[str, Any]:
    """A service config retrying UNAVAILABLE for 'pkg.Service/Method' (or a whole 'pkg.Service')."""
    names = []
    for full in idempotent_methods:
        service, method = split_method(full)
        names.append({"service": service, "method": method} if method else {"service": service})
    return {"methodConfig": [{"name": names, "retryPolicy": RETRY_POLICY}]} if names else {}


def balanced_target(target: str) -> tuple[str, bool]:
    """(gRPC target, whether it spreads calls over several addresses with round_robin).

    `a:1,b:2` of IP literals becomes `ipv4:a:1,b:2` (or `ipv6:[..]:1,[..]:2`); `dns:` targets are
    balanced over every address the name resolves to; a single `host:port` is left as it is."""
    target = target.strip()
    if target.startswith("dns:"):
        return target, True
    if "," not in target:
        return target, False
    addresses = [a.strip() for a in target.split(",") if a.strip()]
    families = {_family(address) for address in addresses}
    if len(families) != 1:
        raise ValueError(
            f"a list of gRPC targets must be IPv4 or IPv6 host:port literals of one family: {target!r}"
        )
    return f"{families.pop()}:{','.join(addresses)}", True


def _family(address: str) -> str:
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not host:
        raise ValueError(f"not a host:port: {address!r}")
    try:
        ip = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        raise ValueError(
            f"{address!r}: a list of targets takes IP addresses; for names use dns:///<name>:<port>"
        ) from None
    if ip.version == 6 and not host.startswith("["):
        raise ValueError(f"{address!r}: write an IPv6 address in brackets, [addr]:port")
    return f"ipv{ip.version}"


def error_from_rpc(error: grpc.RpcError) -> YwtbError:
    """The YwtbError of a failed call: class from the status; message, code, fields from the trailer."""
    code = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
    body = _error_body(error)
    http_status = body.get("http_status") if body else 0
    cls = error_class_for(code, http_status if isinstance(http_status, int) else 0)
    if body:
        fields = body.get("fields")
        return cls(
            str(body.get("message") or "") or None,
            code=str(body.get("code") or "") or None,
            message_en=str(body.get("message_en") or "") or None,
            fields={str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else None,
        )
    details = error.details() if callable(getattr(error, "details", None)) else None
    return cls(message_en=details or None)


def _error_body(error: grpc.RpcError) -> dict[str, Any] | None:
    trailing = error.trailing_metadata() if callable(getattr(error, "trailing_metadata", None)) else None
    for key, value in trailing or ():
        if key == ERROR_HEADER:
            try:
                body = json.loads(value.decode("utf-8") if isinstance(value, bytes) else value)
            except (UnicodeDecodeError, ValueError):
                return None
            return body if isinstance(body, dict) else None
    return None


class _TranslatedStream:
    """A response stream whose gRPC errors surface as YwtbError."""

    def __init__(self, call: Any) -> None:
        self._call = call

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._call)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)


class ClientInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds signed principal, traceparent, request id, case number and a default deadline; maps errors."""

    def __init__(
        self,
        signing_key: bytes,
        principal: Principal | None = None,
        default_timeout_s: float = DEFAULT_TIMEOUT_S,
        tracer_provider: trace.TracerProvider | None = None,
    ) -> None:
        self._key = signing_key
        self._principal = principal
        self._default_timeout_s = default_timeout_s
        self._tracer = trace.get_tracer("ywtb.common.grpc", tracer_provider=tracer_provider)

    def _details(self, details: grpc.ClientCallDetails) -> _ClientCallDetails:
        metadata = call_metadata(self._key, details.metadata, principal=self._principal)
        timeout = call_timeout(details.timeout, self._default_timeout_s)
        return _ClientCallDetails(
            details.method,
            timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        method = client_call_details.method
        service, name = split_method(method)
        with self._tracer.start_as_current_span(
            method.lstrip("/"),
            kind=trace.SpanKind.CLIENT,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": name},
        ) as span:
            outcome = continuation(self._details(client_call_details), request)
            error = outcome.exception()
            if error is not None:
                status = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
                span.set_attribute("rpc.grpc.status_code", status.value[0])
                span.set_status(trace.Status(trace.StatusCode.ERROR, status.name))
                raise error_from_rpc(error) from error
            return outcome

    def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        call = continuation(self._details(client_call_details), request)
        if isinstance(call, grpc.RpcError) and not isinstance(call, Iterator):
            raise error_from_rpc(call)
        return _TranslatedStream(call)


def call_metadata(
    signing_key: bytes,
    metadata: Iterable[tuple[str, str]] | None = None,
    *,
    principal: Principal | None = None,
) -> list[tuple[str, str]]:
    """A call's metadata: the caller's own, then the signed principal (the bound one, else `principal`),
    trace context, request id and case number."""
    metadata = list(metadata or ())
    present = {key for key, _ in metadata}
    caller = current_principal.get() or principal
    if PRINCIPAL_HEADER not in present and caller is not None:
        metadata += sign_principal(caller, signing_key).items()
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    extra = {
        **carrier,
        REQUEST_ID_HEADER: current_request_id.get() or uuid.uuid4().hex,
        CASE_NO_HEADER: current_case_no.get() or "",
    }
    return metadata + [(k, v) for k, v in extra.items() if v and k not in present]


def call_timeout(timeout: float | None, default_timeout_s: float = DEFAULT_TIMEOUT_S) -> float:
    """A call's deadline: its own, else the default, never past the remaining time of the server call it serves."""
    if timeout is not None:
        return timeout
    remaining = time_remaining()
    return default_timeout_s if remaining is None else min(default_timeout_s, remaining)


def channel_options(
    target: str,
    idempotent_methods: Iterable[str] = (),
    retry_idempotent: bool = True,
    options: Sequence[tuple[str, Any]] = (),
) -> tuple[str, list[tuple[str, Any]]]:
    """The gRPC target and channel options of a ywtb channel (sync or asyncio): retries, round_robin."""
    opts = list(options)
    target, balanced = balanced_target(target)
    config = retry_service_config(idempotent_methods) if retry_idempotent else {}
    if config:
        opts.append(("grpc.enable_retries", 1))
    if balanced:
        config = {"loadBalancingConfig": [{"round_robin": {}}], **config}
        # A replica that comes back (restarted on its address) takes calls again within about 1 s, not 2 min.
        opts.append(("grpc.max_reconnect_backoff_ms", REPLICA_RECONNECT_BACKOFF_MS))
    if config:
        opts.append(("grpc.service_config", json.dumps(config)))
    return target, opts


def channel(
    target: str,
    *,
    signing_key: bytes,
    principal: Principal | None = None,
    idempotent_methods: Iterable[str] = (),
    retry_idempotent: bool = True,
    default_timeout_s: float = DEFAULT_TIMEOUT_S,
    credentials: grpc.ChannelCredentials | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Channel:
    """A channel to another ywtb service; `principal` is used when no caller principal is bound.

    `target` is host:port, a comma-separated list of IP host:port (one per replica) or a dns: target;
    the last two balance calls over the addresses (round_robin)."""
    target, opts = channel_options(target, idempotent_methods, retry_idempotent, options)
    base = (
        grpc.secure_channel(target, credentials, opts)
        if credentials is not None
        else grpc.insecure_channel(target, opts)
    )
    interceptor = ClientInterceptor(signing_key, principal, default_timeout_s, tracer_provider)
    return grpc.intercept_channel(base, interceptor)
