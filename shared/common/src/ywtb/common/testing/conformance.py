"""What every gRPC service of the registry must do, checked on the real process (shared/common/tests/conformance/).

A service is started as `python -m <module>` on the embedded default with placeholder secrets (which the
embedded mode accepts), its peers pointed at a closed port. The checks: health and reflection answer;
its servicer implements every RPC and declares each @public or @allow(*roles) (ywtb.common.grpc.access),
the public ones exactly the registry's public_rpcs; every other RPC refuses an anonymous caller
(UNAUTHENTICATED) and a signed principal with no roles (PERMISSION_DENIED, at the door, whatever the
request); a second process on the same port fails naming it; the same placeholder secrets are refused
outside the embedded mode; its migrations build exactly the schema its models declare.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from sqlalchemy import MetaData

from ywtb.common.auth.principal import Principal
from ywtb.common.auth.signing import sign_principal
from ywtb.common.components import Component
from ywtb.common.grpc.access import Access, access_of, generated_stub
from ywtb.common.health import grpc_serving
from ywtb.common.migrations import pending_differences, script_location_of, upgrade

# Accepted by the embedded mode, refused by every other (ywtb.common.settings.placeholder_reason).
PLACEHOLDER_SECRET = "local-dev-only-conformance-placeholder"
NOBODY = Principal(subject="conformance-nobody")
CALL_TIMEOUT_S = 10


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_target() -> str:
    """A host:port that refuses connections at once (the peers of a service under test)."""
    return f"127.0.0.1:{free_port()}"


def service_env(component: Component, data_dir: Path, port: int, mode: str = "embedded") -> dict[str, str]:
    """The environment of one service process on its own data directory and port."""
    p = component.env_prefix
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(p)}
    env.update(
        {
            f"{p}MODE": mode,
            f"{p}LOG_LEVEL": "WARNING",
            f"{p}GRPC_PORT": str(port),
            f"{p}DATA_DIR": str(data_dir),
            f"{p}DATABASE_URL": f"sqlite:///{data_dir / 'service.db'}",
            f"{p}EVENT_LOG_PATH": str(data_dir / "events.db"),
            f"{p}INTERNAL_SIGNING_KEY": PLACEHOLDER_SECRET,
            **{f"{p}{secret.upper()}": PLACEHOLDER_SECRET for secret in component.secrets},
            **{f"{p}{callee.upper()}_TARGET": closed_target() for callee in component.calls},
        }
    )
    if mode != "embedded":
        env[f"{p}KAFKA_BOOTSTRAP"] = closed_target()
    return env


@dataclass
class RunningService:
    """A service process under test."""

    component: Component
    port: int
    proc: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.target)


@contextmanager
def running(component: Component, data_dir: Path, timeout_s: float = 90) -> Iterator[RunningService]:
    """Start the service, wait until its health check answers SERVING, stop it afterwards."""
    port = free_port()
    log = data_dir / "service.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", component.module],
            env=service_env(component, data_dir, port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    service = RunningService(component, port, proc, log)
    try:
        deadline = time.monotonic() + timeout_s
        while not grpc_serving(service.target):
            if proc.poll() is not None:
                raise AssertionError(
                    f"{component.name} exited with {proc.returncode}: {log.read_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{component.name} not SERVING within {timeout_s:.0f}s: {log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield service
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_to_exit(component: Component, env: dict[str, str], timeout_s: float = 60) -> tuple[int, str]:
    """Run the service with env until it exits (it must refuse to start): (exit code, its output)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", component.module],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{component.name} kept running; it should have refused to start") from exc
    return done.returncode, done.stdout + done.stderr


def health_status(service: RunningService, name: str) -> int:
    """The health status the server reports for a service name ('' = the whole server)."""
    with service.channel() as channel:
        return (
            health_pb2_grpc.HealthStub(channel)
            .Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            .status
        )


def reflected_services(service: RunningService) -> set[str]:
    """The service names its reflection lists."""
    with service.channel() as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        reply = next(iter(stub.ServerReflectionInfo(iter([request]), timeout=5)))
    return {s.name for s in reply.list_services_response.service}


def api_methods(component: Component) -> list[MethodDescriptor]:
    """The RPCs of the component's gRPC API (ywtb.api.<name>.v1.<name>_pb2 registers them)."""
    package, _ = str(component.api).rsplit(".", 1)
    importlib.import_module(f"{package}.{component.name}_pb2")
    return list(descriptor_pool.Default().FindServiceByName(str(component.api)).methods)


def servicer_class(component: Component) -> type:
    """The one class of <module>.grpc_api that serves the component's API."""
    package, service = str(component.api).rsplit(".", 1)
    base = getattr(importlib.import_module(f"{package}.{component.name}_pb2_grpc"), f"{service}Servicer")
    module = importlib.import_module(f"{component.module}.grpc_api")
    found = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, base) and v is not base
    ]
    assert len(found) == 1, f"{module.__name__} should define one subclass of {base.__name__}, found {found}"
    return found[0]


def declared_access(component: Component) -> dict[str, Access | None]:
    """Each RPC's declaration on the servicer; None when it is undeclared or left to the generated stub."""
    cls = servicer_class(component)
    return {
        m.name: None if generated_stub(cls, m.name) else access_of(getattr(cls, m.name))
        for m in api_methods(component)
    }


def call_status(channel: grpc.Channel, method: MethodDescriptor, metadata: dict[str, str]) -> grpc.StatusCode:
    """The status of one call of the RPC with an empty request (OK when it answers)."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    request = message_factory.GetMessageClass(method.input_type)()
    reply_class = message_factory.GetMessageClass(method.output_type)
    kinds = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }
    stub = kinds[(method.client_streaming, method.server_streaming)](
        path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=reply_class.FromString
    )
    argument = iter([request]) if method.client_streaming else request
    try:
        reply = stub(argument, metadata=list(metadata.items()), timeout=CALL_TIMEOUT_S)
        if method.server_streaming:
            list(reply)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def statuses(service: RunningService, principal: Principal | None) -> dict[str, grpc.StatusCode]:
    """Each RPC's status for an empty request from an anonymous caller (None) or a signed principal."""
    metadata = sign_principal(principal, PLACEHOLDER_SECRET.encode()) if principal else {}
    with service.channel() as channel:
        return {m.name: call_status(channel, m, metadata) for m in api_methods(service.component)}


def models_metadata(component: Component) -> MetaData:
    """The MetaData of the service's models (<module>.models: `metadata`, else `Base.metadata`)."""
    models = importlib.import_module(f"{component.module}.models")
    metadata = getattr(models, "metadata", None)
    return metadata if isinstance(metadata, MetaData) else models.Base.metadata


def migration_drift(component: Component, database_url: str) -> list:  # type: ignore[type-arg]
    """What the models declare that the service's migrations, upgraded to head, do not build."""
    upgrade(script_location_of(component.module), database_url)
    return pending_differences(database_url, models_metadata(component))
