"""The component registry (deploy/components.yaml): every process of the platform, named once.

registry = load_components()               # $YWTB_COMPONENTS_FILE, else the repository's deploy/
registry["intake"].ports.grpc              # 50063
registry.services()                        # the gRPC services, in start order
uv run python -m ywtb.common.components check [FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ywtb.common.events.topics import TopicDefinitionError, load_topics

_REPO_DEPLOY = Path(__file__).resolve().parents[5] / "deploy"
NAME_RE = re.compile(r"^[a-z][a-z0-9]{1,30}$")
Backend = Literal["postgresql", "kafka", "redis", "keycloak"]
Secret = Literal["pii_key", "nontax_key", "province_key", "sms_key"]
SHARED_SECRETS = frozenset(
    {"nontax_key", "province_key", "sms_key"}
)  # held alike by a service and the outside system (or simulator) it talks to


class RegistryError(ValueError):
    """The registry file is malformed or inconsistent (the message names the component and field)."""


class Ports(BaseModel):
    """Where a component listens: gRPC for services, HTTP for the edge components."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    grpc: int | None = Field(default=None, ge=1024, le=65535)
    http: int | None = Field(default=None, ge=1024, le=65535)
    metrics: int | None = Field(default=None, ge=1024, le=65535)

    def serving(self) -> int:
        """The port callers use (gRPC or HTTP)."""
        return self.grpc or self.http  # type: ignore[return-value]  # validated: exactly one is set

    def all(self) -> list[int]:
        """Every port the component opens."""
        return [p for p in (self.grpc, self.http, self.metrics) if p]


class Component(BaseModel):
    """One process of the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1)
    module: str
    path: str
    env_prefix: str
    ports: Ports
    api: str | None = None
    backends: tuple[Backend, ...] = ()
    secrets: tuple[Secret, ...] = ()
    calls: tuple[str, ...] = ()
    publishes: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    public_rpcs: tuple[str, ...] = ()
    dev_env: dict[str, str] = Field(default_factory=dict)
    debian_packages: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9+.-]+$")], ...] = ()
    # A simulator of an outside system: component → its setting that points at the simulator under make run.
    simulates: dict[str, str] = Field(default_factory=dict)

    @property
    def is_simulator(self) -> bool:
        """A stand-in for an outside system: started by make run / make up, never imaged or deployed."""
        return bool(self.simulates)

    @property
    def is_grpc(self) -> bool:
        """A gRPC service (as opposed to an HTTP edge component)."""
        return self.ports.grpc is not None

    @property
    def package(self) -> str:
        """The workspace member's distribution name (ywtb-<name>)."""
        return f"ywtb-{self.name}"

    def uses(self, backend: Backend) -> bool:
        """Whether the component needs that backend."""
        return backend in self.backends

    def target(self, host: str = "127.0.0.1", offset: int = 0) -> str:
        """host:port where callers reach it."""
        return f"{host}:{self.ports.serving() + offset}"


class Registry:
    """The validated components, in the file's order (the order make run starts them)."""

    def __init__(self, components: list[Component], path: Path) -> None:
        self.path = path
        self._by_name = {c.name: c for c in components}

    def __getitem__(self, name: str) -> Component:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a component of {self.path}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Component]:
        """The platform's own components (simulators of outside systems apart)."""
        return iter(c for c in self._by_name.values() if not c.is_simulator)

    def names(self) -> list[str]:
        """Every own component's name."""
        return [c.name for c in self]

    def simulators(self) -> list[Component]:
        """The simulators of outside systems (make run / make up start them beside the platform)."""
        return [c for c in self._by_name.values() if c.is_simulator]

    def services(self) -> list[Component]:
        """The gRPC services."""
        return [c for c in self if c.is_grpc]


def default_path() -> Path:
    """$YWTB_COMPONENTS_FILE (the image sets it), else deploy/components.yaml of this repository."""
    return Path(os.environ.get("YWTB_COMPONENTS_FILE") or _REPO_DEPLOY / "components.yaml")


def topics_file() -> Path:
    """$YWTB_TOPICS_FILE, else the topics.yaml beside the registry (deploy/ here, /app/deploy/ in an image)."""
    return Path(os.environ.get("YWTB_TOPICS_FILE") or default_path().with_name("topics.yaml"))


def _check(c: Component, registry: dict[str, Component], topics: set[str] | None) -> list[str]:
    """What is wrong with one component, relative to the others and the topics."""
    bad = []
    if not NAME_RE.match(c.name):
        bad.append("name must be lowercase letters and digits (2-31), starting with a letter")
    if c.is_simulator:
        if not c.module.startswith("ywtb.") or c.is_grpc:
            bad.append("a simulator is an HTTP process of a ywtb module")
        for name in c.simulates:
            if name not in registry or registry[name].is_simulator:
                bad.append(f"simulates: {name!r} is not a component")
    elif c.module != f"ywtb.{c.name}":
        bad.append(f"module must be ywtb.{c.name}")
    if c.env_prefix != f"YWTB_{c.name.upper()}_":
        bad.append(f"env_prefix must be YWTB_{c.name.upper()}_")
    if (c.ports.grpc is None) == (c.ports.http is None):
        bad.append("ports: exactly one of grpc and http")
    if c.is_grpc and not c.api:
        bad.append("api (package.Service) is required for a gRPC service")
    for callee in c.calls:
        if callee not in registry or callee == c.name:
            bad.append(f"calls: {callee!r} is not another component")
    for field, names in (("publishes", c.publishes), ("consumes", c.consumes)):
        for topic in names:
            if topics is not None and topic not in topics:
                bad.append(f"{field}: {topic!r} is not a topic of topics.yaml")
    for topic in c.publishes:
        if topic.split(".")[1:2] != [c.name]:
            bad.append(f"publishes: {topic!r} is not a topic of {c.name} (ywtb.{c.name}.<aggregate>.vN)")
    return bad


def parse_components(data: object, path: Path, topics: set[str] | None = None) -> Registry:
    """Validate the parsed YAML of a registry; RegistryError names every problem."""
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("components"), dict):
        raise RegistryError(f"{path}: expected `version: 1` and a `components:` mapping")
    components, problems = [], []
    for name, fields in data["components"].items():
        try:
            components.append(Component(name=name, **(fields or {})))
        except (ValidationError, TypeError) as exc:
            problems.append(f"{name}: {exc}")
    by_name = {c.name: c for c in components}
    seen: dict[int, str] = {}
    for c in components:
        problems += [f"{c.name}: {p}" for p in _check(c, by_name, topics)]
        for port in c.ports.all():
            if port in seen:
                problems.append(f"{c.name}: port {port} is already {seen[port]}'s")
            seen[port] = c.name
    if problems:
        raise RegistryError(f"{path}: " + "; ".join(problems))
    return Registry(components, path)


def load_components(path: str | Path | None = None, topics_path: str | Path | None = None) -> Registry:
    """Load and validate a registry file (and its topics against the topics file beside it, when present)."""
    p = Path(path) if path else default_path()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{p}: cannot read the component registry: {exc}") from exc
    t = Path(topics_path) if topics_path else p.with_name("topics.yaml")
    try:
        topics = {spec.name for spec in load_topics(t)} if t.exists() else None
    except TopicDefinitionError as exc:
        raise RegistryError(str(exc)) from exc
    return parse_components(data, p, topics)


@cache
def registry() -> Registry:
    """The platform's registry (default_path), loaded once per process."""
    return load_components()


def main(argv: list[str] | None = None) -> int:
    """`python -m ywtb.common.components check [FILE]`: validate and list the components."""
    parser = argparse.ArgumentParser(prog="python -m ywtb.common.components")
    parser.add_argument("command", choices=["check"])
    parser.add_argument("file", nargs="?")
    args = parser.parse_args(argv)
    try:
        reg = load_components(args.file)
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    for c in reg:
        kind = f"grpc {c.ports.grpc}" if c.is_grpc else f"http {c.ports.http}"
        print(f"{c.name:<12} {kind:<11} calls {','.join(c.calls) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
