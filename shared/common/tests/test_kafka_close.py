"""A consumer whose librdkafka close never returns does not hold up its owner."""

from __future__ import annotations

import threading
import time

import pytest

from ywtb.common.events import kafka
from ywtb.common.events.kafka import KafkaSubscription


class _StuckConsumer:
    """Stands in for a librdkafka consumer whose close blocks until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.closes = 0

    def close(self) -> None:
        self.closes += 1
        self.release.wait()


def test_close_gives_up_after_its_bound_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka, "_CLOSE_SECONDS", 0.3)
    sub = KafkaSubscription.__new__(KafkaSubscription)
    stuck = _StuckConsumer()
    sub._consumer = stuck  # type: ignore[assignment]
    sub._closed = False
    started = time.monotonic()
    sub.close()
    sub.close()
    assert time.monotonic() - started < 2
    assert stuck.closes == 1
    stuck.release.set()
