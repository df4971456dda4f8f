"""Each component's settings class agrees with its registry entry: env prefix, default port, its peers."""

from __future__ import annotations

import importlib
import inspect

import pytest

from ywtb.common.components import Component, registry
from ywtb.common.settings import ServiceSettings

COMPONENTS = list(registry())


def settings_class(component: Component) -> type[ServiceSettings]:
    """The one ServiceSettings subclass defined in <module>.config."""
    module = importlib.import_module(f"{component.module}.config")
    classes = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, ServiceSettings) and cls.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"{module.__name__} defines {len(classes)} settings classes"
    return classes[0]


@pytest.mark.parametrize("component", COMPONENTS, ids=[c.name for c in COMPONENTS])
def test_settings_follow_the_registry(component: Component) -> None:
    cls = settings_class(component)
    assert cls.model_config.get("env_prefix") == component.env_prefix
    port_field = "grpc_port" if component.is_grpc else "http_port"
    assert cls.model_fields[port_field].default == component.ports.serving(), (
        f"{cls.__name__}.{port_field} defaults to another port than deploy/components.yaml"
    )
    for callee in component.calls:
        assert f"{callee}_target" in cls.model_fields, (
            f"{component.name} calls {callee}: no {callee}_target setting"
        )
    for secret in component.secrets:
        assert secret in cls.model_fields and cls.model_fields[secret].is_required(), (
            f"{secret} must be required"
        )
