"""Idempotent consumer on both buses: effects happen once, poison goes to the DLQ, the loop carries on."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from google.protobuf.struct_pb2 import Struct
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update

from ywtb.common.db import Database
from ywtb.common.errors import Unavailable
from ywtb.common.events.bus import Delivery, EventBus
from ywtb.common.events.envelope import Event
from ywtb.common.inbox import IdempotentConsumer, define_inbox, dlq_topic
from ywtb.common.outbox import add_event, define_outbox
from ywtb.common.relay import OutboxRelay
from ywtb.common.testing.bus import drain, make_test_bus, new_topics, unread
from ywtb.common.testing.stack import kafka_ctl

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("kafka", id="kafka", marks=pytest.mark.integration),
]


def _schema():  # type: ignore[no-untyped-def]
    metadata = MetaData()
    effects = Table(
        "effects", metadata, Column("case_no", String(40), primary_key=True), Column("count", Integer)
    )
    return metadata, effects, define_inbox(metadata), define_outbox(metadata)


def _database(url: str):  # type: ignore[no-untyped-def]
    """A database with the effects and inbox tables: (db, effects, inbox)."""
    metadata, effects, inbox, _ = _schema()
    db = Database(url)
    metadata.create_all(db.engine)
    return db, effects, inbox


def _count_effect(effects):  # type: ignore[no-untyped-def]
    def handler(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        data = event.json()
        if data.get("poison"):
            raise RuntimeError(f"cannot handle {event.key}")
        updated = session.execute(
            update(effects).where(effects.c.case_no == event.key).values(count=effects.c.count + 1)
        ).rowcount
        if not updated:
            session.execute(effects.insert().values(case_no=event.key, count=1))

    return handler


def _event(topic: str, key: str, **data) -> Event:  # type: ignore[no-untyped-def]
    message = Struct()
    message.update(data)
    return Event.of(message, topic=topic, key=key, source="/test", tenant="110101")


def _publish(bus, event: Event) -> None:  # type: ignore[no-untyped-def]
    bus.publish(event.topic, event.key, event.data, event.headers())
    assert bus.flush(30) == 0


@pytest.mark.parametrize("kind", BACKENDS)
def test_poison_goes_to_the_dlq_with_its_error_and_the_consumer_carries_on(
    kind, tmp_path, sqlite_url
) -> None:
    (topic,) = new_topics(kind, "poison")
    db, effects, inbox = _database(sqlite_url)
    bus = make_test_bus(kind, tmp_path)
    bus.publish(topic, "garbage", b"\xff not an event", [("x", b"y")])
    _publish(bus, _event(topic, "case-poison", poison=True))
    _publish(bus, _event(topic, "case-good"))
    consumer = IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group="g-poison",
        topics=[topic],
        handler=_count_effect(effects),
        max_attempts=3,
        backoff=0.01,
    )
    handled = 0
    for _ in range(200):
        handled += consumer.run_once(0.5)
        if handled == 3:
            break
    consumer.close()
    assert handled == 3
    with db.transaction() as s:
        assert s.execute(select(effects.c.case_no, effects.c.count)).all() == [("case-good", 1)]
    with bus.subscribe("g-dlq", [dlq_topic(topic)]) as sub:
        dead = {r.key: r for r in drain(sub, 2)}
    assert set(dead) == {"garbage", "case-poison"}
    assert dead["garbage"].header("ywtb_dlq_error_type") == "MalformedEvent"
    assert dead["garbage"].value == b"\xff not an event"
    assert dead["case-poison"].header("ywtb_dlq_error") == "cannot handle case-poison"
    assert dead["case-poison"].header("ywtb_dlq_attempts") == "3"
    assert dead["case-poison"].header("ywtb_dlq_consumer_group") == "g-poison"
    assert dead["case-poison"].header("ce_type") == "google.protobuf.Struct"
    bus.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_redelivered_event_has_its_effect_once(kind, tmp_path, sqlite_url) -> None:
    (topic,) = new_topics(kind, "dup")
    db, effects, inbox = _database(sqlite_url)
    bus = make_test_bus(kind, tmp_path)
    event = _event(topic, "case-1")
    _publish(bus, event)
    _publish(bus, event)
    consumer = IdempotentConsumer(
        bus=bus, db=db, inbox=inbox, group="g-dup", topics=[topic], handler=_count_effect(effects)
    )
    handled = 0
    for _ in range(120):
        handled += consumer.run_once(0.5)
        if handled == 2:
            break
    consumer.close()
    assert handled == 2
    with db.transaction() as s:
        assert s.execute(select(effects.c.count)).scalar_one() == 1
        assert s.scalar(select(func.count()).select_from(inbox)) == 1
    bus.close()


def _consume(consumer: IdempotentConsumer, records: int, timeout: float = 90.0) -> int:
    """Run the consumer until `records` records were handled and committed (or timeout); how many were."""
    handled = 0
    deadline = time.monotonic() + timeout
    while handled < records and time.monotonic() < deadline:
        handled += consumer.run_once(0.5)
    return handled


@pytest.mark.parametrize("kind", BACKENDS)
def test_an_infrastructure_error_rewinds_and_retries_and_never_dead_letters(
    kind, tmp_path, sqlite_url
) -> None:
    """A database or dependency outage outlasting every attempt: the record is read again until it works."""
    (topic,) = new_topics(kind, "infra")
    db, effects, inbox = _database(sqlite_url)
    bus = make_test_bus(kind, tmp_path)
    _publish(bus, _event(topic, "case-infra"))
    count_effect = _count_effect(effects)
    seen: list[str] = []

    def handler(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        seen.append(event.id)
        if len(seen) <= 4:  # the outage outlasts max_attempts
            raise Unavailable("审批服务暂不可用")
        count_effect(session, event)

    consumer = IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group="g-infra",
        topics=[topic],
        handler=handler,
        max_attempts=2,
        backoff=0.01,
        max_backoff=0.05,
    )
    assert _consume(consumer, 1) == 1
    consumer.close()
    assert len(seen) == 5 and len(set(seen)) == 1, "the same event was read again after each failure"
    with db.transaction() as s:
        assert s.execute(select(effects.c.case_no, effects.c.count)).all() == [("case-infra", 1)]
    assert unread(bus, "g-infra-dlq", dlq_topic(topic)) == [], "an outage is never the event's fault"
    assert unread(bus, "g-infra", topic) == []
    bus.close()


class _DlqDown(EventBus):
    """A bus whose dead-letter topics refuse the first `failures` records (the rest goes to the real bus)."""

    def __init__(self, bus: EventBus, failures: int) -> None:
        self.bus, self.failures = bus, failures

    def publish(self, topic, key, value, headers, on_delivery=None) -> None:  # type: ignore[no-untyped-def]
        if topic.endswith(".dlq") and self.failures > 0:
            self.failures -= 1
            if on_delivery:
                on_delivery(Delivery(ok=False, error="_MSG_TIMED_OUT: dead-letter topic unreachable"))
            return
        self.bus.publish(topic, key, value, headers, on_delivery)

    def flush(self, timeout: float) -> int:
        return self.bus.flush(timeout)

    def subscribe(self, group, topics, *, start="earliest"):  # type: ignore[no-untyped-def]
        return self.bus.subscribe(group, topics, start=start)

    def close(self) -> None:
        self.bus.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_failed_dead_letter_publish_leaves_the_record_uncommitted(kind, tmp_path, sqlite_url) -> None:
    (topic,) = new_topics(kind, "dlqdown")
    db, effects, inbox = _database(sqlite_url)
    bus = _DlqDown(make_test_bus(kind, tmp_path), failures=1)
    _publish(bus, _event(topic, "case-poison", poison=True))

    def consumer() -> IdempotentConsumer:
        return IdempotentConsumer(
            bus=bus,
            db=db,
            inbox=inbox,
            group="g-dlqdown",
            topics=[topic],
            handler=_count_effect(effects),
            max_attempts=1,
            max_backoff=0.05,
        )

    first = consumer()
    deadline = time.monotonic() + 60
    while bus.failures and time.monotonic() < deadline:
        assert not first.run_once(0.5), "a record whose dead-lettering failed is not committed"
    first.close()
    assert bus.failures == 0
    # Another member of the group (a restart) gets the record again; now the DLQ takes it.
    second = consumer()
    assert _consume(second, 1) == 1
    second.close()
    assert [r.key for r in unread(bus, "g-dlqdown-dlq", dlq_topic(topic))] == ["case-poison"]
    assert unread(bus, "g-dlqdown", topic) == []
    bus.close()


@pytest.mark.integration
@pytest.mark.parametrize("kind", BACKENDS)
def test_two_members_recording_one_event_at_once_have_its_effect_once(kind, tmp_path, postgres_url) -> None:
    """A member stalls inside the handler, loses the partition, the new owner handles the same record: both
    commit their transaction at once; the inbox key lets one effect stand and the late commit is refused."""
    (topic,) = new_topics(kind, "race")
    db, effects, inbox = _database(postgres_url)
    with db.transaction() as s:
        s.execute(effects.insert().values(case_no="case-race", count=0))
    bus = make_test_bus(kind, tmp_path)
    _publish(bus, _event(topic, "case-race"))
    both_inside = threading.Barrier(2, timeout=120)
    count_effect = _count_effect(effects)

    def handler(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        both_inside.wait()  # the stalled member waits here (not polling) until the new owner arrives
        count_effect(session, event)

    members = [
        IdempotentConsumer(bus=bus, db=db, inbox=inbox, group="g-race", topics=[topic], handler=handler)
        for _ in range(2)
    ]
    results: dict[int, bool] = {}
    stalled = threading.Thread(target=lambda: results.setdefault(0, members[0].run_once(30)))
    stalled.start()
    deadline = time.monotonic() + 30
    while not both_inside.n_waiting and time.monotonic() < deadline:
        time.sleep(0.05)
    assert both_inside.n_waiting == 1, "the first member is inside the handler"
    successor = threading.Thread(target=lambda: results.setdefault(1, _consume(members[1], 1, 120) == 1))
    successor.start()
    stalled.join(150)
    successor.join(150)
    for member in members:
        member.close()
    assert results == {0: False, 1: True}, "the stalled member's commit is refused, the new owner's stands"
    with db.transaction() as s:
        assert s.execute(select(effects.c.count)).scalar_one() == 1
        assert s.scalar(select(func.count()).select_from(inbox)) == 1
    assert unread(bus, "g-race", topic) == []
    bus.close()


@pytest.mark.integration
def test_outbox_through_a_kafka_outage_keeps_per_key_order_and_has_each_effect_once(
    postgres_url, tmp_path
) -> None:
    """Kafka down: state changes and their events still commit; after the restart the relay delivers them in
    per-key order, a relay crash sends them all again, and the consumer reads every copy and applies each once."""
    (topic,) = new_topics("kafka", "outage")
    metadata, _, inbox, outbox = _schema()
    applied = Table(
        "applied",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("case_no", String(40), nullable=False),
        Column("step", Integer, nullable=False),
    )
    db = Database(postgres_url)
    metadata.create_all(db.engine)
    keys, steps = [f"110101-outage-{n}" for n in range(3)], 4
    bus = make_test_bus("kafka", tmp_path, delivery_timeout_ms=3000)
    relay = OutboxRelay(db, outbox, bus, delivery_timeout=10)
    kafka_ctl("stop")
    try:
        for step in range(1, steps + 1):
            for key in keys:
                with db.transaction() as s:
                    message = Struct()
                    message.update({"step": step})
                    add_event(
                        s, outbox, message, topic=topic, key=key, source="/ywtb/intake", tenant="110101"
                    )
        assert relay.run_once() == (len(keys) * steps, 0)
        with db.transaction() as s:
            rows = s.execute(select(outbox)).all()
        assert all(r.sent_at is None and r.failed_at is None and r.attempts == 0 for r in rows)
    finally:
        kafka_ctl("start")
    total = len(keys) * steps
    for _ in range(30):
        if relay.run_once()[1] == total:
            break
    else:
        pytest.fail("the relay did not deliver after Kafka came back")
    # Every event a second time, as a relay that crashed before marking them sent would publish them.
    with db.transaction() as s:
        s.execute(update(outbox).values(sent_at=None))
    assert relay.run_once() == (total, total)

    def apply(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        session.execute(applied.insert().values(case_no=event.key, step=int(event.json()["step"])))

    consumer = IdempotentConsumer(
        bus=bus, db=db, inbox=inbox, group="g-outage", topics=[topic], handler=apply
    )
    assert _consume(consumer, 2 * total) == 2 * total, "the consumer read every record, copies included"
    consumer.close()
    by_key: dict[str, list[int]] = defaultdict(list)
    with db.transaction() as s:
        for case_no, step in s.execute(select(applied.c.case_no, applied.c.step).order_by(applied.c.seq)):
            by_key[case_no].append(step)
    assert by_key == {key: list(range(1, steps + 1)) for key in keys}, "each event once, in per-key order"
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(inbox)) == total
    assert unread(bus, "g-outage", topic) == []
    bus.close()
