"""Start-up every service shares: `run_service(spec)` wires settings, logs, telemetry, the migrated
database, the event bus, the gRPC server, the outbox relay and the service's workers under one stop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

import grpc
from sqlalchemy.engine import make_url

from ywtb.common.clock import Clock, shifted_clock, utc_now
from ywtb.common.components import topics_file as default_topics_file
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.factory import make_bus
from ywtb.common.events.kafka import on_wire
from ywtb.common.events.topics import apply_topics, load_topics
from ywtb.common.grpc.server import AddFn, build_server, serve_forever
from ywtb.common.logs import configure_logging
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.relay import OutboxRelay
from ywtb.common.settings import ServiceSettings, kafka_client_config, load_settings_or_exit
from ywtb.common.tables import ServiceMetadata
from ywtb.common.telemetry import setup_telemetry
from ywtb.common.workers import Worker

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)


def bus_for(settings: ServiceSettings, client_id: str, topics_file: Path | None = None) -> EventBus:
    """The service's event bus: Kafka when configured, else the embedded log (partitions from the topic file)."""
    partitions: dict[str, int] = {}
    path = topics_file or default_topics_file()
    if not path.is_file():  # never guess partitions: an installed image carries it in /app/deploy/
        raise SystemExit(f"the topic file {path} is missing: set YWTB_TOPICS_FILE to deploy/topics.yaml")
    if not settings.kafka_bootstrap:  # only the embedded log takes partition counts
        partitions = {spec.name: spec.partitions for spec in load_topics(path)}
    if settings.kafka_bootstrap and settings.kafka_namespace:
        # A namespace's topics are this platform's own: made here as the topic file defines them.
        namespaced = [
            replace(spec, name=on_wire(settings.kafka_namespace, spec.name)) for spec in load_topics(path)
        ]
        apply_topics(settings.kafka_bootstrap, namespaced, admin_config=kafka_client_config(settings))
    return make_bus(
        kafka_bootstrap=settings.kafka_bootstrap,
        event_log_path=str(settings.event_log_path),
        client_id=client_id,
        partitions=partitions,
        kafka_config=kafka_client_config(settings),
        kafka_namespace=settings.kafka_namespace,
    )


def database_for(settings: ServiceSettings, package: str) -> Database:
    """The service's database (SQLite in its data dir when none is configured), migrated when asked."""
    url = settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # also when the configured SQLite file lies in it
    if not url:
        url = f"sqlite:///{settings.data_dir / (package.rsplit('.', 1)[-1] + '.db')}"
    elif (sqlite_file := make_url(url)).drivername.startswith("sqlite") and sqlite_file.database:
        Path(sqlite_file.database).parent.mkdir(parents=True, exist_ok=True)
    if settings.migrate_on_start:
        upgrade(script_location_of(package), url)
    return Database(url)


class Runtime:
    """Runs a service's gRPC server and its background workers until SIGTERM/SIGINT."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stop = threading.Event()
        self._workers: list[tuple[str, Worker]] = []

    def add_worker(self, name: str, worker: Worker) -> None:
        """A loop (the relay, a consumer) that runs until the stop event is set."""
        self._workers.append((name, worker))

    def _guard(self, name: str, worker: Worker) -> None:
        try:
            worker(self.stop)
        except Exception:
            log.exception("%s worker %s died; stopping the service so it restarts", self.name, name)
            self.stop.set()

    def serve(self, server: grpc.Server, *, grace_s: float = 10.0) -> None:
        """Start the workers and the server; block until stopped; stop everything gracefully."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop.set())
        threads = [
            threading.Thread(target=self._guard, args=(name, worker), name=f"{self.name}-{name}", daemon=True)
            for name, worker in self._workers
        ]
        for thread in threads:
            thread.start()
        serve_forever(server, self.stop, grace_s=grace_s)
        for thread in threads:
            thread.join(grace_s)


@dataclass(frozen=True)
class Parts:
    """What a service runs: its gRPC servicers and its own workers (the relay is added by the kit)."""

    servicers: Sequence[tuple[AddFn, Any]]
    workers: Mapping[str, Worker] = field(default_factory=dict)
    grpc_options: Sequence[tuple[str, Any]] = ()


class Kit(Generic[S]):
    """What `build` is given: the settings, the migrated database, the event bus (made when first used)."""

    def __init__(self, spec: ServiceSpec[S], settings: S, db: Database) -> None:
        self.spec, self.settings, self.db = spec, settings, db

    @cached_property
    def bus(self) -> EventBus:
        """The service's event bus (Kafka or the embedded log)."""
        return bus_for(self.settings, self.spec.process_name)

    @cached_property
    def clock(self) -> Clock:
        """The use cases' clock: utc_now, or a test's shifted clock (clock_shift_file, embedded mode only)."""
        path = self.settings.clock_shift_file
        return shifted_clock(path) if path is not None else utc_now

    @property
    def signing_key(self) -> bytes:
        """The key of the signed principal between services."""
        return self.settings.internal_signing_key.get_secret_value().encode()


@dataclass(frozen=True)
class ServiceSpec(Generic[S]):
    """What a service is: its short name (intake), its settings class, its metadata and how its parts are built.

    Derived from the name: the package ywtb.<name> (migrations, database file), the process and
    telemetry name ywtb-<name>, the env prefix YWTB_<NAME>_ and the event source /ywtb/<name>.
    """

    name: str
    settings: type[S]
    metadata: ServiceMetadata
    build: Callable[[Kit[S]], Parts]

    def __post_init__(self) -> None:
        prefix = str(self.settings.model_config.get("env_prefix", ""))
        if prefix.upper() != self.env_prefix:
            raise ValueError(
                f"{self.settings.__name__} reads {prefix!r}; service {self.name} needs {self.env_prefix!r}"
            )
        if self.metadata.service != self.name:
            raise ValueError(f"metadata of {self.metadata.service!r} given to service {self.name!r}")

    @property
    def package(self) -> str:
        """The service's Python package (ywtb.intake)."""
        return f"ywtb.{self.name}"

    @property
    def process_name(self) -> str:
        """The name in logs, traces and the event bus client id (ywtb-intake)."""
        return f"ywtb-{self.name}"

    @property
    def env_prefix(self) -> str:
        """The prefix of the service's environment variables (YWTB_INTAKE_)."""
        return f"YWTB_{self.name.upper()}_"


def start_service(spec: ServiceSpec[S], settings: S) -> tuple[Runtime, grpc.Server]:
    """The runtime (relay and the service's workers) and the gRPC server of a service, not yet serving."""
    configure_logging(spec.process_name, settings.log_level)
    setup_telemetry(spec.process_name)
    kit = Kit(spec, settings, database_for(settings, spec.package))
    parts = spec.build(kit)
    runtime = Runtime(spec.process_name)
    runtime.add_worker("relay", OutboxRelay(kit.db, spec.metadata.outbox, kit.bus).run)
    for name, worker in parts.workers.items():
        runtime.add_worker(name, worker)
    server = build_server(
        parts.servicers,
        port=settings.grpc_port,
        signing_key=kit.signing_key,
        service_name=spec.package,
        options=parts.grpc_options,
    )
    return runtime, server


def run_service(spec: ServiceSpec[Any]) -> None:
    """A service's `main`: run until SIGTERM/SIGINT; exit 2 on a bad configuration."""
    runtime, server = start_service(spec, load_settings_or_exit(spec.settings))
    runtime.serve(server)
