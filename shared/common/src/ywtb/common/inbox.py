"""Idempotent consumer: the inbox row is written in the effect's transaction; failures go to `<topic>.dlq`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from opentelemetry import trace
from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from ywtb.common.context import bound
from ywtb.common.db import Database
from ywtb.common.errors import DeadlineExceeded, InvalidArgument, Unavailable
from ywtb.common.events.bus import CommitFailed, Delivery, EventBus, Record, Start, Subscription
from ywtb.common.events.envelope import Event, MalformedEvent
from ywtb.common.events.topics import dlq_topic
from ywtb.common.telemetry import extract_context

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

INBOX_TABLE = "inbox"
Handler = Callable[[Session, Event], None]
NOT_RETRIABLE = (MalformedEvent, InvalidArgument)
# Failures of the platform, not of the event: wait and read the record again, never dead-letter.
INFRASTRUCTURE = (OperationalError, InterfaceError, Unavailable, DeadlineExceeded)


def define_inbox(metadata: MetaData) -> Table:
    """The inbox table in a service's own metadata: one row per consumed event per group."""
    return Table(
        INBOX_TABLE,
        metadata,
        Column("consumer_group", String(200), nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("topic", String(249), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("consumer_group", "event_id"),
    )


class RetryLater(Exception):
    """The record could not be handled for a reason outside it; it must not be committed."""


class DeadLetterFailed(RetryLater):
    """The dead-letter topic did not take the record."""


class IdempotentConsumer:
    """Consumes topics as a group; each event's effect happens once; poison goes to the DLQ."""

    def __init__(
        self,
        *,
        bus: EventBus,
        db: Database,
        inbox: Table,
        group: str,
        topics: list[str],
        handler: Handler,
        max_attempts: int = 5,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
        start: Start = "earliest",
    ) -> None:
        self.bus = bus
        self.db = db
        self.inbox = inbox
        self.group = group
        self.topics = topics
        self.handler = handler
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.start = start
        self._subscription: Subscription | None = None

    @property
    def subscription(self) -> Subscription:
        if self._subscription is None:
            self._subscription = self.bus.subscribe(self.group, self.topics, start=self.start)
        return self._subscription

    def run_once(self, timeout: float = 1.0) -> bool:
        """Handle at most one record; True when one was handled (or dead-lettered) and committed."""
        record = self.subscription.poll(timeout)
        if record is None:
            return False
        try:
            self.handle(record)
        except RetryLater as exc:
            log.warning(
                "record %s[%d]@%d will be read again: %s", record.topic, record.partition, record.offset, exc
            )
            self.subscription.seek(record)
            time.sleep(self.max_backoff)
            return False
        try:
            self.subscription.commit(record)
        except CommitFailed as exc:
            # The effect is recorded; the partition's new owner reads the record again and skips it.
            log.warning(
                "record %s[%d]@%d handled, not committed: %s",
                record.topic,
                record.partition,
                record.offset,
                exc,
            )
            return False
        return True

    def handle(self, record: Record) -> None:
        """Apply the handler once for this record's event, retrying, then dead-lettering."""
        try:
            event = Event.from_record(record)
        except MalformedEvent as exc:
            self._dead_letter(record, exc, attempts=0)
            return
        with (
            bound(tenant=event.tenant or None),
            tracer.start_as_current_span(
                f"process {record.topic}",
                context=extract_context(
                    {"traceparent": event.traceparent or "", "tracestate": event.tracestate or ""}
                ),
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": record.topic,
                    "messaging.message.id": event.id,
                    "messaging.consumer.group.name": self.group,
                },
            ),
        ):
            for attempt in range(1, self.max_attempts + 1):
                try:
                    self._apply(event)
                    return
                except NOT_RETRIABLE as exc:
                    self._dead_letter(record, exc, attempts=attempt)
                    return
                except INFRASTRUCTURE as exc:
                    raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
                except Exception as exc:
                    log.warning(
                        "event %s failed (attempt %d/%d): %s", event.id, attempt, self.max_attempts, exc
                    )
                    if attempt == self.max_attempts:
                        self._dead_letter(record, exc, attempts=attempt)
                        return
                    time.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))

    def _apply(self, event: Event) -> None:
        try:
            with self.db.transaction() as session:
                if self._seen(session, event.id):
                    return
                self.handler(session, event)
                session.execute(
                    self.inbox.insert().values(
                        consumer_group=self.group,
                        event_id=event.id,
                        topic=event.topic,
                        processed_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            # Another member recorded the same event id first: its effect stands, ours rolled back.
            with self.db.transaction() as session:
                if self._seen(session, event.id):
                    return
            raise

    def _seen(self, session: Session, event_id: str) -> bool:
        """True when this group's inbox already holds the event."""
        c = self.inbox.c
        query = select(c.event_id).where(c.consumer_group == self.group, c.event_id == event_id)
        return session.execute(query).first() is not None

    def _dead_letter(self, record: Record, error: BaseException, *, attempts: int) -> None:
        log.error(
            "event from %s[%d]@%d dead-lettered: %s", record.topic, record.partition, record.offset, error
        )
        outcome: list[Delivery] = []
        headers = [h for h in record.headers if not h[0].startswith("ywtb_dlq_")] + [
            ("ywtb_dlq_error", str(error)[:4000].encode("utf-8")),
            ("ywtb_dlq_error_type", type(error).__name__.encode()),
            ("ywtb_dlq_consumer_group", self.group.encode()),
            ("ywtb_dlq_topic", record.topic.encode()),
            ("ywtb_dlq_partition", str(record.partition).encode()),
            ("ywtb_dlq_offset", str(record.offset).encode()),
            ("ywtb_dlq_attempts", str(attempts).encode()),
            ("ywtb_dlq_time", datetime.now(UTC).isoformat().encode()),
        ]
        try:
            self.bus.publish(
                dlq_topic(record.topic), record.key or "", record.value, headers, on_delivery=outcome.append
            )
            self.bus.flush(30)
        except Exception as exc:
            raise DeadLetterFailed(str(exc)) from exc
        if not outcome or not outcome[0].ok:
            raise DeadLetterFailed(outcome[0].error if outcome else "no delivery report")

    def run(self, stop: threading.Event, *, poll_timeout: float = 0.5) -> None:
        """Consume until stop is set; nothing a record does stops the loop."""
        try:
            while not stop.is_set():
                try:
                    if not self.run_once(poll_timeout):
                        continue
                except Exception:
                    log.exception("consumer %s round failed; retrying", self.group)
                    stop.wait(1.0)
        finally:
            self.close()

    def close(self) -> None:
        """Leave the group."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
