"""Idempotent consumer on both buses: effects happen once, poison goes to the DLQ, the loop carries on."""

from __future__ import annotations

import threading

import pytest
from google.protobuf.struct_pb2 import Struct
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update

from ywtb.common.db import Database
from ywtb.common.events.envelope import Event
from ywtb.common.inbox import IdempotentConsumer, define_inbox, dlq_topic
from ywtb.common.outbox import add_event, define_outbox
from ywtb.common.relay import OutboxRelay
from ywtb.common.testing.bus import drain, make_test_bus, new_topics
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
    metadata, effects, inbox, _ = _schema()
    db = Database(sqlite_url)
    metadata.create_all(db.engine)
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
    metadata, effects, inbox, _ = _schema()
    db = Database(sqlite_url)
    metadata.create_all(db.engine)
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


@pytest.mark.integration
def test_outbox_through_a_kafka_outage_delivers_once_kafka_is_back(postgres_url, tmp_path) -> None:
    """Kafka down: the state change and its event still commit; the relay delivers after restart."""
    (topic,) = new_topics("kafka", "outage")
    metadata, effects, inbox, outbox = _schema()
    cases = Table(
        "cases", metadata, Column("case_no", String(40), primary_key=True), Column("status", String(20))
    )
    db = Database(postgres_url)
    metadata.create_all(db.engine)
    bus = make_test_bus("kafka", tmp_path, delivery_timeout_ms=3000)
    relay = OutboxRelay(db, outbox, bus, delivery_timeout=10)
    kafka_ctl("stop")
    try:
        with db.transaction() as s:
            s.execute(cases.insert().values(case_no="110101-outage-1", status="accepted"))
            add_event(
                s,
                outbox,
                Struct(),
                topic=topic,
                key="110101-outage-1",
                source="/ywtb/intake",
                tenant="110101",
            )
        assert relay.run_once() == (1, 0)
        with db.transaction() as s:
            row = s.execute(select(outbox)).one()
        assert row.sent_at is None and row.failed_at is None and row.attempts == 0
    finally:
        kafka_ctl("start")
    for _ in range(30):
        if relay.run_once()[1] == 1:
            break
    else:
        pytest.fail("the relay did not deliver after Kafka came back")
    # Deliver the same event a second time, as a relay that crashed before marking it sent would.
    with db.transaction() as s:
        s.execute(update(outbox).values(sent_at=None))
    assert relay.run_once() == (1, 1)
    consumer = IdempotentConsumer(
        bus=bus, db=db, inbox=inbox, group="g-outage", topics=[topic], handler=_count_effect(effects)
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), kwargs={"poll_timeout": 0.2})
    thread.start()
    try:
        for _ in range(120):
            with db.transaction() as s:
                done = s.scalar(select(func.count()).select_from(inbox))
            if done:
                stop.wait(3)  # give the duplicate time to arrive and be ignored
                break
            stop.wait(0.5)
    finally:
        stop.set()
        thread.join(30)
    with db.transaction() as s:
        assert s.execute(select(effects.c.case_no, effects.c.count)).all() == [("110101-outage-1", 1)]
    with bus.subscribe("g-outage-check", [topic]) as sub:
        assert len(drain(sub, 2, timeout=30)) == 2  # the event really did arrive twice
    bus.close()
