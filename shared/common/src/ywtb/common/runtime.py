"""Start-up wiring every service shares: the gRPC server, the outbox relay and consumers, one stop."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import grpc

from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.events.factory import make_bus
from ywtb.common.events.topics import load_topics
from ywtb.common.grpc.server import serve_forever
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.settings import ServiceSettings, kafka_client_config

log = logging.getLogger(__name__)

Worker = Callable[[threading.Event], None]
DEFAULT_TOPICS_FILE = Path(__file__).resolve().parents[5] / "deploy" / "topics.yaml"


def bus_for(settings: ServiceSettings, client_id: str, topics_file: Path | None = None) -> EventBus:
    """The service's event bus: Kafka when configured, else the embedded log (partitions from the topic file)."""
    partitions: dict[str, int] = {}
    path = topics_file or Path(os.environ.get("YWTB_TOPICS_FILE") or DEFAULT_TOPICS_FILE)
    if not settings.kafka_bootstrap and path.exists():  # only the embedded log takes partition counts
        partitions = {spec.name: spec.partitions for spec in load_topics(path)}
    return make_bus(
        kafka_bootstrap=settings.kafka_bootstrap,
        event_log_path=str(settings.event_log_path),
        client_id=client_id,
        partitions=partitions,
        kafka_config=kafka_client_config(settings),
    )


def database_for(settings: ServiceSettings, package: str) -> Database:
    """The service's database (SQLite in its data dir when none is configured), migrated when asked."""
    url = settings.database_url
    if not url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{settings.data_dir / (package.rsplit('.', 1)[-1] + '.db')}"
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
