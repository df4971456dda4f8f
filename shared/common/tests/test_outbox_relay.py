"""Outbox and relay: events commit with the state change and reach the bus in per-key order."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from google.protobuf.struct_pb2 import Struct
from sqlalchemy import Column, MetaData, String, Table, func, select, update

from ywtb.common.db import Database
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.events.envelope import Event
from ywtb.common.outbox import add_event, define_outbox
from ywtb.common.relay import OutboxRelay
from ywtb.common.testing.bus import drain

TOPIC = "ywtb.intake.case.v1"


def _schema():  # type: ignore[no-untyped-def]
    metadata = MetaData()
    cases = Table(
        "cases", metadata, Column("case_no", String(40), primary_key=True), Column("status", String(20))
    )
    return metadata, cases, define_outbox(metadata)


def _db(url: str):  # type: ignore[no-untyped-def]
    metadata, cases, outbox = _schema()
    db = Database(url)
    metadata.create_all(db.engine)
    return db, cases, outbox


def _submit(db, cases, outbox, case_no: str, status: str = "submitted", topic: str = TOPIC) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        s.execute(cases.insert().values(case_no=case_no, status=status))
        add_event(
            s, outbox, Struct(fields={}), topic=topic, key=case_no, source="/ywtb/intake", tenant="110101"
        )


def _change(db, cases, outbox, case_no: str, status: str) -> None:  # type: ignore[no-untyped-def]
    message = Struct()
    message.update({"caseNo": case_no, "status": status})
    with db.transaction() as s:
        s.execute(update(cases).where(cases.c.case_no == case_no).values(status=status))
        add_event(s, outbox, message, topic=TOPIC, key=case_no, source="/ywtb/intake", tenant="110101")


def test_event_and_state_change_commit_or_roll_back_together(sqlite_url) -> None:
    db, cases, outbox = _db(sqlite_url)
    _submit(db, cases, outbox, "110101-20261008-000001")
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.execute(cases.insert().values(case_no="110101-20261008-000002", status="submitted"))
        add_event(
            s,
            outbox,
            Struct(),
            topic=TOPIC,
            key="110101-20261008-000002",
            source="/ywtb/intake",
            tenant="110101",
        )
        raise RuntimeError("the use case failed after staging its event")
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(cases)) == 1
        assert s.scalar(select(func.count()).select_from(outbox)) == 1


def test_relay_publishes_cloudevents_in_key_order_and_marks_sent(sqlite_url, tmp_path) -> None:
    db, cases, outbox = _db(sqlite_url)
    bus = EmbeddedBus(str(tmp_path / "log.db"))
    for n in range(3):
        _submit(db, cases, outbox, f"case-{n}")
    for status in ("accepted", "approved", "completed"):
        for n in range(3):
            _change(db, cases, outbox, f"case-{n}", status)
    relay = OutboxRelay(db, outbox, bus)
    assert relay.run_once() == (12, 12)
    assert relay.run_once() == (0, 0)
    with bus.subscribe("g", [TOPIC]) as sub:
        events = [Event.from_record(r) for r in drain(sub, 12)]
    by_key: dict[str, list[str]] = defaultdict(list)
    for event in events:
        by_key[event.key].append(event.json().get("status", "submitted"))
        assert (event.type, event.source, event.tenant) == (
            "google.protobuf.Struct",
            "/ywtb/intake",
            "110101",
        )
        assert event.subject == event.key
    assert all(v == ["submitted", "accepted", "approved", "completed"] for v in by_key.values()), by_key
    with db.transaction() as s:
        assert s.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) == 0


def test_a_bad_row_is_parked_and_never_stops_the_relay(sqlite_url, tmp_path) -> None:
    db, cases, outbox = _db(sqlite_url)
    bus = EmbeddedBus(str(tmp_path / "log.db"))
    _submit(db, cases, outbox, "bad", topic="not a valid topic!")
    _change(db, cases, outbox, "bad", "accepted")
    _submit(db, cases, outbox, "good")
    relay = OutboxRelay(db, outbox, bus, max_attempts=3)
    delivered = [relay.run_once()[1] for _ in range(4)]
    assert sum(delivered) == 2  # "good", then "bad"'s later event once the bad row is parked
    with db.transaction() as s:
        parked = s.execute(select(outbox).where(outbox.c.failed_at.is_not(None))).one()
    assert parked.attempts == 3 and "invalid topic" in parked.last_error
    with bus.subscribe("g", [TOPIC]) as sub:
        assert sorted(r.key for r in drain(sub, 2)) == ["bad", "good"]


@pytest.mark.integration
def test_two_relays_at_once_keep_per_key_order_on_postgres(postgres_url, tmp_path) -> None:
    db, cases, outbox = _db(postgres_url)
    bus = EmbeddedBus(str(tmp_path / "log.db"))
    keys = [f"case-{n}" for n in range(20)]
    for key in keys:
        _submit(db, cases, outbox, key)
    for step in range(1, 25):
        for key in keys:
            _change(db, cases, outbox, key, f"s{step:02d}")
    relays = [OutboxRelay(db, outbox, bus, batch_size=37) for _ in range(2)]
    delivered = [0, 0]

    def work(i: int) -> None:
        while True:
            pending, sent = relays[i].run_once()
            delivered[i] += sent
            if pending == 0:
                with db.transaction() as s:
                    if s.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) == 0:
                        return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(delivered) == 20 * 25
    with bus.subscribe("g", [TOPIC]) as sub:
        events = [Event.from_record(r) for r in drain(sub, 500)]
    assert len(events) == 500 and len({e.id for e in events}) == 500
    by_key: dict[str, list[str]] = defaultdict(list)
    for event in events:
        by_key[event.key].append(event.json().get("status", "s00"))
    for key, statuses in by_key.items():
        assert statuses == sorted(statuses), f"{key} out of order"


def test_a_commit_wakes_the_relay_of_its_process_at_once(sqlite_url, tmp_path) -> None:
    db, cases, outbox = _db(sqlite_url)
    bus = EmbeddedBus(str(tmp_path / "log.db"))
    relay = OutboxRelay(db, outbox, bus)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 30.0})
    thread.start()
    try:
        time.sleep(0.3)  # the relay found nothing and sleeps for up to 30 s
        _submit(db, cases, outbox, "case-wake")
        started = time.monotonic()
        with bus.subscribe("g", [TOPIC]) as sub:
            assert len(drain(sub, 1, timeout=5)) == 1
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        _submit(db, cases, outbox, "case-stop")  # wakes the relay so it sees the stop
        thread.join(10)
    assert not thread.is_alive()
