"""The service runtime: workers run beside the gRPC server, and one failing worker stops the service."""

from __future__ import annotations

import threading

from ywtb.common.grpc.server import build_server
from ywtb.common.runtime import Runtime, bus_for
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
    settings = ServiceSettings(event_log_path=tmp_path / "events.db", kafka_bootstrap=None)
    bus = bus_for(settings, "sample")
    assert type(bus).__name__ == "EmbeddedBus"
    bus.close()
