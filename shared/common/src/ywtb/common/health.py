"""Is a component up? Its gRPC health service answers SERVING, or its /healthz answers 200."""

from __future__ import annotations

import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def grpc_serving(target: str, timeout: float = 1) -> bool:
    """True when the gRPC health service at host:port answers SERVING."""
    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=timeout
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def http_ok(url: str, timeout: float = 1) -> bool:
    """True when the URL answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def healthy(is_grpc: bool, port: int, host: str = "127.0.0.1") -> bool:
    """A component's health on the port: gRPC health for a service, /healthz for an HTTP edge component."""
    return grpc_serving(f"{host}:{port}") if is_grpc else http_ok(f"http://{host}:{port}/healthz")
