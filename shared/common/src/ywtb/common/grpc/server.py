"""gRPC server bootstrap: health, reflection, Diagnostics and the ywtb interceptors."""

from __future__ import annotations

import logging
import signal
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import trace

from ywtb.api.common.v1 import common_pb2_grpc
from ywtb.common.grpc.access import CLOSED, Access, access_of, generated_stub
from ywtb.common.grpc.diagnostics import DIAGNOSTICS_SERVICE, DiagnosticsServicer
from ywtb.common.grpc.interceptors import (
    DeadlineInterceptor,
    ErrorInterceptor,
    PrincipalInterceptor,
    TracingInterceptor,
)

log = logging.getLogger("ywtb.common.grpc")

AddFn = Callable[[Any, Any], None]


class UndeclaredAccess(TypeError):
    """A servicer method declares neither @public, @allow(*roles) nor @authenticated: it cannot be served."""

    def __init__(self, service_name: str, methods: list[str]) -> None:
        super().__init__(
            f"{service_name}: servicer methods without an access declaration: {', '.join(methods)}; "
            "mark each @public, @allow(*roles) or @authenticated (ywtb.common.grpc)"
        )
        self.methods = methods


class PortInUse(OSError):
    """The gRPC port is taken (another process listens on it) or may not be bound."""

    def __init__(self, service_name: str, host: str, port: int) -> None:
        super().__init__(
            f"{service_name}: cannot listen on gRPC port {port} ({host}): another process already uses it "
            "(or it may not be bound); stop that process or give this service another port"
        )
        self.port = port


@dataclass
class _ServerInfo:
    health: health.HealthServicer
    port: int
    service_names: list[str] = field(default_factory=list)


_SERVERS: weakref.WeakKeyDictionary[grpc.Server, _ServerInfo] = weakref.WeakKeyDictionary()


class _Recorder:
    """Stands in for the server while a generated add_*_to_server runs, to learn what it registers."""

    def __init__(self, server: grpc.Server, servicer: Any) -> None:
        self._server, self._servicer = server, servicer
        self.services: list[str] = []
        self.access: dict[str, Access] = {}
        self.undeclared: list[str] = []

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        self._record(service)
        for name in handlers:
            access = access_of(getattr(self._servicer, name, None))
            if access is None and not generated_stub(type(self._servicer), name):
                self.undeclared.append(f"{type(self._servicer).__qualname__}.{name}")
            self.access[f"/{service}/{name}"] = access or CLOSED
        self._server.add_registered_method_handlers(service, handlers)

    def add_generic_rpc_handlers(self, handlers: Iterable[Any]) -> None:
        handlers = tuple(handlers)
        for handler in handlers:
            service_name = getattr(handler, "service_name", None)
            if callable(service_name) and service_name():
                self._record(service_name())
        self._server.add_generic_rpc_handlers(handlers)

    def _record(self, service: str) -> None:
        if service not in self.services:
            self.services.append(service)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


def build_server(
    servicers: Sequence[tuple[AddFn, Any]],
    *,
    port: int,
    signing_key: bytes,
    service_name: str,
    host: str = "[::]",
    max_workers: int = 16,
    tracer_provider: trace.TracerProvider | None = None,
    principal_max_age_s: float = 300,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Server:
    """A sync gRPC server (not started) with health, reflection, Diagnostics and the interceptors.

    Every method of every servicer must declare its access (ywtb.common.grpc.access): UndeclaredAccess otherwise.
    """
    principal_interceptor = PrincipalInterceptor(signing_key, principal_max_age_s)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"grpc-{service_name}"),
        interceptors=[
            TracingInterceptor(tracer_provider),
            ErrorInterceptor(),
            DeadlineInterceptor(),
            principal_interceptor,
        ],
        # grpcio sets SO_REUSEPORT by default: a second process on the port would share it silently.
        options=[("grpc.so_reuseport", 0), *options],
    )
    services: list[str] = []
    undeclared: list[str] = []

    def register(add_fn: AddFn, servicer: Any) -> None:
        recorder = _Recorder(server, servicer)
        add_fn(servicer, recorder)
        services.extend(recorder.services)
        undeclared.extend(recorder.undeclared)
        principal_interceptor.access.update(recorder.access)

    for add_fn, servicer in servicers:
        register(add_fn, servicer)
    if DIAGNOSTICS_SERVICE not in services:
        register(common_pb2_grpc.add_DiagnosticsServiceServicer_to_server, DiagnosticsServicer())
    if undeclared:
        raise UndeclaredAccess(service_name, undeclared)

    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ["", service_name, *services]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection([*services, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    try:
        bound_port = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as exc:  # grpcio raises "Failed to bind to address ..."
        raise PortInUse(service_name, host, port) from exc
    if bound_port == 0:
        raise PortInUse(service_name, host, port)
    _SERVERS[server] = _ServerInfo(health_servicer, bound_port, ["", service_name, *services])
    return server


def server_port(server: grpc.Server) -> int:
    """The port build_server bound (useful with port=0)."""
    return _SERVERS[server].port


def set_serving(server: grpc.Server, serving: bool) -> None:
    """Report every service of the server as SERVING or NOT_SERVING to health checks."""
    info = _SERVERS[server]
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in info.service_names:
        info.health.set(name, status)


def serve_forever(
    server: grpc.Server,
    stop_event: threading.Event | None = None,
    *,
    grace_s: float = 10.0,
    drain_s: float = 0.0,
) -> None:
    """Start the server and block until stop_event (or SIGTERM/SIGINT); then stop gracefully."""
    if stop_event is None:
        stop_event = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop_event.set())
    server.start()
    log.info("gRPC server listening on port %s", _SERVERS[server].port if server in _SERVERS else "?")
    stop_event.wait()
    log.info("gRPC server stopping: health NOT_SERVING, grace %.1fs", grace_s)
    if server in _SERVERS:
        set_serving(server, False)
    if drain_s > 0:
        threading.Event().wait(drain_s)  # let load balancers see NOT_SERVING before refusing calls
    server.stop(grace_s).wait()
