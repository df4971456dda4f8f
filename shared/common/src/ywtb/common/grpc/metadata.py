"""Metadata keys shared by the server and client interceptors, and the call's deadline."""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextvars import ContextVar

CASE_NO_HEADER = "x-ywtb-case-no"
REQUEST_ID_HEADER = "x-request-id"
ERROR_HEADER = "x-ywtb-error-bin"

# Health checks and reflection never need a principal (probes and grpcurl call them).
ALWAYS_ALLOWED_PREFIXES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)

# grpc reports a huge remaining time when the caller set no deadline.
_NO_DEADLINE_S = 1e8

current_deadline: ContextVar[float | None] = ContextVar("ywtb_grpc_deadline", default=None)


def text_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> dict[str, str]:
    """The ASCII (non -bin) entries of gRPC metadata as a dict; the last value of a key wins."""
    return {k: v for k, v in (metadata or ()) if isinstance(v, str)}


def deadline_from_remaining(remaining: float | None) -> float | None:
    """A monotonic deadline from grpc's time_remaining(), None when the caller set no deadline."""
    if remaining is None or remaining >= _NO_DEADLINE_S:
        return None
    return time.monotonic() + remaining


def time_remaining() -> float | None:
    """Seconds left for the current gRPC call (never negative), None outside a call or without deadline."""
    deadline = current_deadline.get()
    if deadline is None:
        return None
    return max(deadline - time.monotonic(), 0.0)


def split_method(full_method: str) -> tuple[str, str]:
    """('pkg.Service', 'Method') of '/pkg.Service/Method'."""
    service, _, method = full_method.lstrip("/").partition("/")
    return service, method
