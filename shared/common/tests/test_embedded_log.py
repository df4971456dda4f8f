"""The embedded log shared by several local processes and threads, as services use it under make run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections import defaultdict

from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.testing.bus import drain

TOPIC = "ywtb.test.shared.v1"


def test_two_processes_publish_and_a_threaded_consumer_reads_everything_in_key_order(tmp_path) -> None:
    path = str(tmp_path / "events.db")
    producer = textwrap.dedent(f"""
        import sys
        from ywtb.common.events.embedded import EmbeddedBus
        bus = EmbeddedBus({path!r})
        name = sys.argv[1]
        for i in range(150):
            bus.publish({TOPIC!r}, f"{{name}}-{{i % 5}}", f"{{i}}".encode(), [])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", producer, name]) for name in ("a", "b")]
    bus = EmbeddedBus(path)
    received = []

    def consume() -> None:
        with bus.subscribe("g", [TOPIC]) as sub:
            received.extend(drain(sub, 300, timeout=60))

    consumer = threading.Thread(target=consume)
    consumer.start()
    for i in range(50):  # the same process publishes from another thread while the consumer reads
        bus.publish("ywtb.test.other.v1", "k", str(i).encode(), [])
    for proc in procs:
        assert proc.wait(60) == 0
    consumer.join(90)
    assert len(received) == 300
    per_key: dict[str, list[int]] = defaultdict(list)
    for record in received:
        per_key[record.key].append(int(record.value))
    assert len(per_key) == 10
    assert all(values == sorted(values) and len(values) == 30 for values in per_key.values())
    bus.close()


def test_two_members_of_a_group_share_the_partitions(tmp_path) -> None:
    bus = EmbeddedBus(str(tmp_path / "events.db"), default_partitions=4)
    subs = [bus.subscribe("g", [TOPIC]), bus.subscribe("g", [TOPIC])]
    got: list[list] = [[], []]

    def consume(i: int) -> None:
        got[i].extend(drain(subs[i], 10**6, timeout=6))

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    threading.Event().wait(2.5)  # both members have joined and rebalanced
    for i in range(40):
        bus.publish(TOPIC, f"k{i}", b"x", [])
    for thread in threads:
        thread.join(10)
    assert len(got[0]) + len(got[1]) == 40
    assert got[0] and got[1], "each member should own some partitions"
    assert {r.partition for r in got[0]}.isdisjoint({r.partition for r in got[1]})
    for sub in subs:
        sub.close()
