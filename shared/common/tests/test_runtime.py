"""The service runtime: workers run beside the gRPC server, and one failing worker stops the service."""

from __future__ import annotations

import threading

import pytest

from ywtb.common.components import topics_file
from ywtb.common.grpc.server import build_server
from ywtb.common.runtime import Runtime, bus_for, database_for
from ywtb.common.settings import ServiceSettings

KEY = b"k" * 32


def test_workers_run_until_stop_and_the_server_stops_with_them() -> None:
    runtime = Runtime("sample")
    ticks: list[int] = []

    def worker(stop: threading.Event) -> None:
        while not stop.wait(0.01):
            ticks.append(1)

    runtime.add_worker("ticker", worker)
    server = build_server([], port=0, signing_key=KEY, service_name="sample", host="127.0.0.1")
    threading.Timer(0.3, runtime.stop.set).start()
    runtime.serve(server, grace_s=1)
    assert ticks and runtime.stop.is_set()


def test_a_dead_worker_stops_the_service() -> None:
    runtime = Runtime("sample")

    def broken(stop: threading.Event) -> None:
        raise RuntimeError("relay lost its database for good")

    runtime.add_worker("relay", broken)
    server = build_server([], port=0, signing_key=KEY, service_name="sample", host="127.0.0.1")
    timer = threading.Timer(10, runtime.stop.set)
    timer.start()
    runtime.serve(server, grace_s=1)
    assert timer.is_alive(), "the service should have stopped because its worker died"
    timer.cancel()


def test_embedded_bus_by_default(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("YWTB_INTERNAL_SIGNING_KEY", "x" * 32)
    settings = ServiceSettings(
        event_log_path=tmp_path / "events.db", kafka_bootstrap=None, internal_signing_key="x" * 32
    )
    bus = bus_for(settings, "sample")
    assert type(bus).__name__ == "EmbeddedBus"
    bus.close()


def test_the_topic_file_is_found_beside_the_registry_of_an_installed_image(tmp_path, monkeypatch) -> None:
    """An image has no repository: components.yaml and topics.yaml sit in /app/deploy/ (YWTB_COMPONENTS_FILE)."""
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "topics.yaml").write_text(
        "defaults: {partitions: 3, replication_factor: 1}\ntopics:\n"
        "  - {name: ywtb.sample.case.v1, partitions: 7}\n"
    )
    monkeypatch.setenv("YWTB_COMPONENTS_FILE", str(deploy / "components.yaml"))
    monkeypatch.delenv("YWTB_TOPICS_FILE", raising=False)
    assert topics_file() == deploy / "topics.yaml"
    settings = ServiceSettings(
        event_log_path=tmp_path / "events.db", kafka_bootstrap=None, internal_signing_key="x" * 32
    )
    bus = bus_for(settings, "sample")
    assert bus._log.partitions["ywtb.sample.case.v1"] == 7  # type: ignore[attr-defined]
    bus.close()


def test_a_missing_topic_file_stops_the_start_instead_of_guessing_partitions(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("YWTB_TOPICS_FILE", str(tmp_path / "nowhere.yaml"))
    settings = ServiceSettings(
        event_log_path=tmp_path / "events.db", kafka_bootstrap=None, internal_signing_key="x" * 32
    )
    with pytest.raises(SystemExit, match="nowhere.yaml is missing"):
        bus_for(settings, "sample")


def test_the_directory_of_a_configured_sqlite_file_is_made(tmp_path) -> None:
    """The chart's DATABASE_URL may point into the (empty) data directory: "unable to open database file" before."""
    url = f"sqlite:///{tmp_path / 'ywtb' / 'db' / 'service.db'}"
    settings = ServiceSettings(
        data_dir=tmp_path / "ywtb", database_url=url, migrate_on_start=False, internal_signing_key="x" * 32
    )
    database = database_for(settings, "ywtb.sample")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert (tmp_path / "ywtb" / "db" / "service.db").exists()
