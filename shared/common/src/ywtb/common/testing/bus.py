"""Helpers for the event-bus tests: a bus per backend, draining a subscription."""

from __future__ import annotations

import time

from ywtb.common.events.bus import EventBus, Record, Subscription
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.events.kafka import KafkaBus
from ywtb.common.testing.stack import create_kafka_topics, stack_env, unique_name


def make_test_bus(kind: str, tmp_path, **kwargs) -> EventBus:  # type: ignore[no-untyped-def]
    """A bus of the given kind: `embedded` (a log file under tmp_path) or `kafka` (the local broker)."""
    if kind == "embedded":
        return EmbeddedBus(str(tmp_path / "events.db"), **{"lease_seconds": 3.0, **kwargs})
    # A short poll interval lets the group drop a crashed member sooner than production's 60 s.
    kwargs.setdefault("consumer_config", {"max.poll.interval.ms": 10000})
    return KafkaBus(stack_env("YWTB_KAFKA_BOOTSTRAP"), client_id=unique_name("test-"), **kwargs)


def new_topics(kind: str, *names: str) -> list[str]:
    """Unique topic names for one test, created up front on Kafka."""
    topics = [f"ywtb.test.{name}{unique_name('')}.v1" for name in names]
    if kind == "kafka":
        create_kafka_topics(stack_env("YWTB_KAFKA_BOOTSTRAP"), topics + [t + ".dlq" for t in topics])
    return topics


def drain(sub: Subscription, count: int, *, timeout: float = 60.0, commit: bool = True) -> list[Record]:
    """Poll until `count` records arrived (committing each) or timeout; the records read."""
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        record = sub.poll(0.5)
        if record is not None:
            records.append(record)
            if commit:
                sub.commit(record)
    return records


def quiet(sub: Subscription, seconds: float) -> list[Record]:
    """Every record that arrives within the given seconds (expected: none)."""
    return drain(sub, 10**9, timeout=seconds)


def unread(bus: EventBus, group: str, topic: str, *, timeout: float = 60.0) -> list[Record]:
    """What the group has left unread on the topic: a new member reads up to a marker published now."""
    marker = unique_name("unread-")
    bus.publish(topic, marker, b"", [])
    assert bus.flush(30) == 0
    records: list[Record] = []
    with bus.subscribe(group, [topic]) as sub:
        deadline = time.monotonic() + timeout
        while not any(r.key == marker for r in records):
            assert time.monotonic() < deadline, f"the marker on {topic} did not arrive in {timeout} s"
            records += drain(sub, 1, timeout=1)
        records += quiet(sub, 2)  # the other partitions have been fetched by now
    return [r for r in records if r.key != marker]
