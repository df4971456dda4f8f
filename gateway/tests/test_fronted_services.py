"""The gateway fronts exactly the services its registry entry calls, with their stubs and routes."""

from __future__ import annotations

from ywtb.common.components import registry
from ywtb.gateway.app import fronted_services
from ywtb.gateway.config import GatewaySettings


def test_the_fronted_services_are_the_gateways_calls() -> None:
    services = fronted_services()
    assert list(services) == list(registry()["gateway"].calls)
    for name, (stub, routes) in services.items():
        api = str(registry()[name].api)
        assert stub.__name__ == api.rsplit(".", 1)[1] + "Stub"
        assert callable(getattr(routes, f"build_{name}_router"))
        assert routes.READS and all(read.startswith(f"{api}/") for read in routes.READS), routes.READS


def test_default_targets_are_the_registry_ports() -> None:
    settings = GatewaySettings(internal_signing_key="a-test-signing-key-0123456789")
    for name in registry()["gateway"].calls:
        assert getattr(settings, f"{name}_target") == registry()[name].target()
