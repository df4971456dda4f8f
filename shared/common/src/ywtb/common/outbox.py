"""Transactional outbox: an event is written in the same transaction as the state change."""

from __future__ import annotations

import threading

from google.protobuf.message import Message
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from ywtb.common.clock import utc, utc_now
from ywtb.common.events.envelope import Event
from ywtb.common.telemetry import inject_headers

OUTBOX_TABLE = "outbox"
# Set after a transaction that staged events commits: the relay of this process starts at once
# instead of at its next idle poll (relays of other processes still find the rows by polling).
OUTBOX_COMMITTED = threading.Event()


def define_outbox(metadata: MetaData) -> Table:
    """The outbox table in a service's own metadata (its migrations create it)."""
    return Table(
        OUTBOX_TABLE,
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(249), nullable=False),
        Column("key", String(200), nullable=False),
        Column("ce_type", String(200), nullable=False),
        Column("source", String(200), nullable=False),
        Column("subject", String(200), nullable=False, default=""),
        Column("tenant", String(6), nullable=False),
        Column("event_time", DateTime(timezone=True), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("traceparent", String(64)),
        Column("tracestate", String(512)),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
        Column("failed_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        Index(
            "ix_outbox_pending",
            "seq",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
        Index(
            "ix_outbox_key_pending",
            "key",
            "seq",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )


_STAGED = "ywtb_outbox_staged"  # session.info: (outbox table, row) staged in this transaction


def add_event(
    session: Session,
    outbox: Table,
    message: Message,
    *,
    topic: str,
    key: str,
    source: str,
    tenant: str,
    subject: str | None = None,
) -> Event:
    """Stage an event in the caller's transaction: inserted when it commits, published by the relay after."""
    carrier: dict[str, str] = {}
    inject_headers(carrier)
    event = Event.of(
        message,
        topic=topic,
        key=key,
        source=source,
        tenant=tenant,
        subject=subject if subject is not None else key,
        traceparent=carrier.get("traceparent"),
        tracestate=carrier.get("tracestate"),
    )
    row = {
        "event_id": event.id,
        "topic": event.topic,
        "key": event.key,
        "ce_type": event.type,
        "source": event.source,
        "subject": event.subject,
        "tenant": event.tenant,
        "event_time": event.time,
        "payload": event.data,
        "traceparent": event.traceparent,
        "tracestate": event.tracestate,
        "created_at": utc_now(),
        "attempts": 0,
    }
    staged = session.info.get(_STAGED)
    if staged is None:
        staged = session.info[_STAGED] = []
        sqlalchemy_event.listen(session, "before_commit", _insert_staged, once=True)
        sqlalchemy_event.listen(session, "after_soft_rollback", _drop_staged, once=True)
    staged.append((outbox, row))
    return event


class Publisher:
    """Stages one service's events in its outbox, in the caller's transaction (the use case's)."""

    def __init__(self, outbox: Table, *, source: str, topic: str = "") -> None:
        self.outbox = outbox
        self.source = source
        self.topic = topic

    def __call__(
        self,
        session: Session,
        message: Message,
        *,
        key: str,
        tenant: str,
        topic: str = "",
        subject: str | None = None,
    ) -> Event:
        """Stage `message` (key = the aggregate id); `topic` defaults to the publisher's."""
        topic = topic or self.topic
        if not topic:
            raise ValueError(f"no topic for {message.DESCRIPTOR.full_name} from {self.source}")
        return add_event(
            session,
            self.outbox,
            message,
            topic=topic,
            key=key,
            source=self.source,
            tenant=tenant,
            subject=subject,
        )


def _insert_staged(session: Session) -> None:
    """The transaction's staged events, in staging order, in one round trip per outbox table."""
    staged = session.info.pop(_STAGED, [])
    for table in dict.fromkeys(table for table, _ in staged):
        session.execute(table.insert(), [row for t, row in staged if t is table])
    if staged:
        sqlalchemy_event.listen(session, "after_commit", _wake_relay, once=True)


def _drop_staged(session: Session, previous_transaction: object) -> None:
    """A rolled-back transaction's events go with it (a savepoint's rollback leaves them staged)."""
    if not getattr(previous_transaction, "nested", False):
        session.info.pop(_STAGED, None)


def _wake_relay(session: Session) -> None:
    OUTBOX_COMMITTED.set()


def event_of_row(row) -> Event:  # type: ignore[no-untyped-def]
    """Rebuild the event from its outbox row."""
    return Event(
        topic=row.topic,
        key=row.key,
        type=row.ce_type,
        source=row.source,
        tenant=row.tenant,
        data=bytes(row.payload),
        subject=row.subject,
        id=row.event_id,
        time=utc(row.event_time),
        traceparent=row.traceparent,
        tracestate=row.tracestate,
    )
