"""The same assertions on the embedded log and on real Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict

import pytest

from ywtb.common.events.bus import CommitFailed, Record
from ywtb.common.testing.bus import drain, make_test_bus, new_topics, quiet, unread

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


def test_seek_reads_a_record_again_and_what_follows_it(kind, bus) -> None:
    (topic,) = new_topics(kind, "seek")
    _publish(bus, topic, [("k", f"v{i}") for i in range(3)])
    with bus.subscribe("g-seek", [topic]) as sub:
        first = drain(sub, 3, commit=False)
        assert [r.value for r in first] == [b"v0", b"v1", b"v2"]
        sub.seek(first[0])
        again = drain(sub, 3, commit=False)
        assert quiet(sub, 1) == []
    assert [(r.offset, r.value) for r in again] == [(r.offset, r.value) for r in first]


def test_two_live_members_share_the_partitions_and_read_each_record_once(kind, bus) -> None:
    (topic,) = new_topics(kind, "members")
    subs = [bus.subscribe("g-members", [topic]), bus.subscribe("g-members", [topic])]
    got: list[list[Record]] = [[], []]
    stop = threading.Event()

    def consume(i: int) -> None:
        while not stop.is_set():
            record = subs[i].poll(0.2)
            if record is not None:
                got[i].append(record)
                subs[i].commit(record)

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        stop.wait(8)  # both members have joined and the partitions are shared out
        _publish(bus, topic, [(f"case-{i}", str(i)) for i in range(60)])
        deadline = time.monotonic() + 60
        while len(got[0]) + len(got[1]) < 60 and time.monotonic() < deadline:
            stop.wait(0.2)
        stop.wait(2)  # a duplicate would arrive now
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        for sub in subs:
            sub.close()
    values = sorted(int(r.value) for r in got[0] + got[1])
    assert values == list(range(60)), "each record is read exactly once by the group"
    assert got[0] and got[1], "each member owns some partitions"
    assert {r.partition for r in got[0]}.isdisjoint({r.partition for r in got[1]})


def test_a_commit_after_losing_the_partition_is_refused(kind, bus) -> None:
    """A member that stopped polling lost its partition: its late commit raises, the new owner's stands."""
    (topic,) = new_topics(kind, "lost")
    _publish(bus, topic, [("k", "only")])
    stalled = bus.subscribe("g-lost", [topic])
    try:
        (record,) = drain(stalled, 1, commit=False)
        with bus.subscribe("g-lost", [topic]) as successor:
            (again,) = drain(successor, 1, timeout=90)  # once the stalled member's partitions are taken
            assert (again.partition, again.offset) == (record.partition, record.offset)
            with pytest.raises(CommitFailed):
                stalled.commit(record)
            successor.commit(again)
    finally:
        stalled.close()
    assert unread(bus, "g-lost", topic) == []
