"""The conformance test: every gRPC service of deploy/components.yaml, started as its own process.

A new service is in it from its first commit (make new-service adds its registry entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from ywtb.common.components import Component, registry
from ywtb.common.testing import conformance as c

SERVICES = registry().services()
SERVING = health_pb2.HealthCheckResponse.SERVING


@pytest.fixture(scope="module", params=SERVICES, ids=[s.name for s in SERVICES])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[c.RunningService]:
    """The service on the embedded default with placeholder secrets, peers unreachable."""
    component: Component = request.param
    with c.running(component, tmp_path_factory.mktemp(component.name)) as running:
        yield running


def test_health_answers_for_the_server_and_its_api(service: c.RunningService) -> None:
    assert c.health_status(service, "") == SERVING
    assert c.health_status(service, str(service.component.api)) == SERVING


def test_reflection_lists_its_api_and_health(service: c.RunningService) -> None:
    assert {str(service.component.api), "grpc.health.v1.Health"} <= c.reflected_services(service)


def test_every_rpc_is_implemented_and_declares_its_door(service: c.RunningService) -> None:
    component = service.component
    declared = c.declared_access(component)
    assert [name for name, access in declared.items() if access is None] == [], (
        "RPCs the servicer leaves unimplemented or undeclared: mark each @public or @allow(*roles)"
    )
    assert {name for name, access in declared.items() if access and access.public} == set(
        component.public_rpcs
    ), "the @public RPCs of the servicer must be exactly public_rpcs of deploy/components.yaml"
    assert [n for n, a in declared.items() if a and not a.public and not a.roles] == [], (
        "an RPC of a service API names the roles it admits (@allow), never any principal (@authenticated)"
    )


def test_exactly_the_declared_public_rpcs_answer_an_anonymous_caller(service: c.RunningService) -> None:
    component = service.component
    methods = {m.name for m in c.api_methods(component)}
    assert set(component.public_rpcs) <= methods, "public_rpcs names an RPC the API lacks"
    anonymous = c.statuses(service, None)
    refused = {name for name, code in anonymous.items() if code == grpc.StatusCode.UNAUTHENTICATED}
    assert methods - refused == set(component.public_rpcs), (
        "RPCs answering without a signed principal must be exactly public_rpcs of deploy/components.yaml "
        "(@public in the servicer)"
    )


def test_every_other_rpc_refuses_a_principal_without_roles(service: c.RunningService) -> None:
    component = service.component
    guarded = {m.name for m in c.api_methods(component)} - set(component.public_rpcs)
    answered = {
        name: code.name
        for name, code in c.statuses(service, c.NOBODY).items()
        if name in guarded and code != grpc.StatusCode.PERMISSION_DENIED
    }
    assert answered == {}, (
        "a signed principal without roles got these answers; each RPC's @allow(*roles) must refuse it "
        "with PERMISSION_DENIED before the use case looks anything up"
    )


def test_a_second_process_on_its_port_fails_naming_the_port(
    service: c.RunningService, tmp_path: Path
) -> None:
    env = c.service_env(service.component, tmp_path, service.port)
    code, output = c.run_to_exit(service.component, env)
    assert code != 0
    assert f"cannot listen on gRPC port {service.port}" in output, output[-2000:]


def test_placeholder_secrets_are_refused_outside_the_embedded_mode(
    service: c.RunningService, tmp_path: Path
) -> None:
    component = service.component
    env = c.service_env(component, tmp_path, c.free_port(), mode="kubernetes")
    code, output = c.run_to_exit(component, env)
    assert code == 2, output[-2000:]
    for secret in ("internal_signing_key", *component.secrets):
        assert f"{component.env_prefix}{secret.upper()}: placeholder secret refused" in output, output[-2000:]
