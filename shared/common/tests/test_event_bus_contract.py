"""The same assertions on the embedded log and on real Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import defaultdict

import pytest

from ywtb.common.testing.bus import drain, make_test_bus, new_topics, quiet

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("kafka", id="kafka", marks=pytest.mark.integration),
]


@pytest.fixture(params=BACKENDS)
def kind(request) -> str:  # type: ignore[no-untyped-def]
    return request.param


@pytest.fixture
def bus(kind, tmp_path):  # type: ignore[no-untyped-def]
    bus = make_test_bus(kind, tmp_path)
    yield bus
    bus.close()


def _publish(bus, topic: str, items: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    outcomes = []
    for key, value in items:
        bus.publish(topic, key, value.encode(), [("ce_id", value.encode())], on_delivery=outcomes.append)
    assert bus.flush(30) == 0
    assert len(outcomes) == len(items) and all(o.ok for o in outcomes), outcomes


def test_publish_and_consume_keeps_key_value_and_headers(kind, bus) -> None:
    (topic,) = new_topics(kind, "basic")
    _publish(bus, topic, [("110000-1", "申办"), ("110000-2", "受理")])
    with bus.subscribe("g-basic", [topic]) as sub:
        records = drain(sub, 2)
    assert sorted((r.key, r.value.decode(), r.header("ce_id")) for r in records) == [
        ("110000-1", "申办", "申办"),
        ("110000-2", "受理", "受理"),
    ]


def test_per_key_order(kind, bus) -> None:
    (topic,) = new_topics(kind, "order")
    items = [(f"case-{i % 7}", f"{i % 7}:{i}") for i in range(140)]
    _publish(bus, topic, items)
    with bus.subscribe("g-order", [topic]) as sub:
        records = drain(sub, len(items))
    assert len(records) == len(items)
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records:
        seen[record.key].append(int(record.value.decode().split(":")[1]))
    assert len(seen) == 7
    for key, sequence in seen.items():
        assert sequence == sorted(sequence), f"{key} out of order: {sequence}"


def test_committed_offsets_survive_a_consumer_restart(kind, bus) -> None:
    (topic,) = new_topics(kind, "offsets")
    _publish(bus, topic, [("same-key", f"v{i}") for i in range(10)])
    with bus.subscribe("g-offsets", [topic]) as sub:
        first = drain(sub, 4)
    assert [r.value for r in first] == [f"v{i}".encode() for i in range(4)]
    with bus.subscribe("g-offsets", [topic]) as sub:
        rest = drain(sub, 6)
        assert quiet(sub, 2) == []
    assert [r.value for r in rest] == [f"v{i}".encode() for i in range(4, 10)]


def test_uncommitted_record_is_redelivered_after_close(kind, bus) -> None:
    (topic,) = new_topics(kind, "redeliver")
    _publish(bus, topic, [("k", "only")])
    with bus.subscribe("g-redeliver", [topic]) as sub:
        (record,) = drain(sub, 1, commit=False)
    with bus.subscribe("g-redeliver", [topic]) as sub:
        (again,) = drain(sub, 1)
    assert (again.value, again.offset) == (record.value, record.offset)


def test_redelivery_after_a_crash_before_commit(kind, bus, tmp_path) -> None:
    """A consumer process killed between poll and commit: the group reads the record again."""
    (topic,) = new_topics(kind, "crash")
    _publish(bus, topic, [("k", "survives-a-crash")])
    child = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from ywtb.common.testing.bus import make_test_bus, drain
        bus = make_test_bus({kind!r}, Path({str(tmp_path)!r}))
        sub = bus.subscribe("g-crash", [{topic!r}])
        (record,) = drain(sub, 1, commit=False)
        print(record.value.decode(), flush=True)
        os._exit(9)  # die without committing or leaving the group
    """)
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.stdout.strip() == "survives-a-crash", result.stderr
    with bus.subscribe("g-crash", [topic]) as sub:
        (again,) = drain(sub, 1, timeout=90)
    assert again.value == b"survives-a-crash"


def test_a_new_group_starting_at_latest_skips_the_history(kind, bus) -> None:
    (topic,) = new_topics(kind, "latest")
    _publish(bus, topic, [("k", "history")])
    with bus.subscribe("g-latest", [topic], start="latest") as sub:
        assert quiet(sub, 4) == []  # joins the group, positions at the end
        _publish(bus, topic, [("k", "news")])
        (record,) = drain(sub, 1)
    assert record.value == b"news"
