"""The topics a service names in its events module are the ones its registry entry publishes and consumes."""

from __future__ import annotations

import importlib

import pytest

from ywtb.common.components import Component, registry
from ywtb.common.events.topics import TOPIC_NAME_RE

SERVICES = registry().services()


def named_topics(component: Component) -> set[str]:
    """The topic names that <module>.events defines as module-level strings."""
    events = importlib.import_module(f"{component.module}.events")
    return {v for v in vars(events).values() if isinstance(v, str) and TOPIC_NAME_RE.match(v)}


@pytest.mark.parametrize("component", SERVICES, ids=[c.name for c in SERVICES])
def test_the_events_module_names_the_registry_topics(component: Component) -> None:
    assert named_topics(component) == set(component.publishes) | set(component.consumes), (
        f"{component.module}.events and deploy/components.yaml disagree on the topics of {component.name}"
    )
