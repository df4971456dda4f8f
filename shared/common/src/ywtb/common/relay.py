"""The outbox relay: publishes committed outbox rows in order and marks them sent.

Per-key order holds with several relays at once: each relay locks a batch with
`FOR UPDATE SKIP LOCKED` (PostgreSQL) and publishes a key's rows only up to the first older
pending row of that key that another relay holds. The idempotent producer keeps a
partition's records in produce order, so a later row cannot land while an earlier one failed.
A row the bus rejects outright is retried `max_attempts` times and then parked
(`failed_at`, `last_error`) so it never blocks the rest; a broker outage parks nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Table, and_, select, update
from sqlalchemy.orm import Session

from ywtb.common.db import Database, is_postgres
from ywtb.common.events.bus import Delivery, EventBus, PublishRejected
from ywtb.common.outbox import OUTBOX_COMMITTED, event_of_row

log = logging.getLogger(__name__)


class OutboxRelay:
    """Moves events from a service's outbox table to the event bus."""

    def __init__(
        self,
        db: Database,
        outbox: Table,
        bus: EventBus,
        *,
        batch_size: int = 500,
        max_attempts: int = 5,
        delivery_timeout: float = 30.0,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.bus = bus
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.delivery_timeout = delivery_timeout

    def _pending(self):  # type: ignore[no-untyped-def]
        return and_(self.outbox.c.sent_at.is_(None), self.outbox.c.failed_at.is_(None))

    def _lock_batch(self, session: Session) -> list:  # type: ignore[type-arg]
        query = select(self.outbox).where(self._pending()).order_by(self.outbox.c.seq).limit(self.batch_size)
        if is_postgres(self.db.engine):
            query = query.with_for_update(skip_locked=True)
        return list(session.execute(query))

    def _publishable(self, session: Session, rows: list) -> list:  # type: ignore[type-arg]
        """Rows whose key has no older pending row held by someone else."""
        ours = {row.seq for row in rows}
        by_key: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        for row in rows:
            by_key[row.key].append(row)
        c = self.outbox.c
        older = session.execute(
            select(c.key, c.seq)
            .where(self._pending(), c.key.in_(list(by_key)), c.seq <= max(ours))
            .order_by(c.seq)
        )
        first_foreign: dict[str, int] = {}
        for key, seq in older:
            if seq not in ours and key not in first_foreign:
                first_foreign[key] = seq
        return [row for row in rows if row.seq < first_foreign.get(row.key, row.seq + 1)]

    def run_once(self) -> tuple[int, int]:
        """Publish one batch; (events pending in the batch, events delivered)."""
        with self.db.transaction() as session:
            rows = self._lock_batch(session)
            if not rows:
                return 0, 0
            rows = self._publishable(session, rows)
            outcomes = self._publish(rows)
            return len(rows), self._record(session, rows, outcomes)

    def _publish(self, rows: list) -> dict[int, Delivery]:  # type: ignore[type-arg]
        outcomes: dict[int, Delivery] = {}
        blocked: set[str] = set()
        for row in rows:
            if row.key in blocked:
                continue
            event = event_of_row(row)

            def done(delivery: Delivery, seq: int = row.seq) -> None:
                outcomes[seq] = delivery

            try:
                self.bus.publish(event.topic, event.key, event.data, event.headers(), on_delivery=done)
            except PublishRejected as exc:
                outcomes[row.seq] = Delivery(ok=False, error=str(exc), permanent=True)
                blocked.add(row.key)
        self.bus.flush(self.delivery_timeout)
        return outcomes

    def _record(self, session: Session, rows: list, outcomes: dict[int, Delivery]) -> int:  # type: ignore[type-arg]
        now = datetime.now(UTC)
        c = self.outbox.c
        sent = [seq for seq, d in outcomes.items() if d.ok]
        if sent:
            session.execute(update(self.outbox).where(c.seq.in_(sent)).values(sent_at=now, last_error=None))
        for row in rows:
            delivery = outcomes.get(row.seq)
            if delivery is None or delivery.ok:
                continue
            if not delivery.permanent:
                log.warning("outbox event %s not delivered yet: %s", row.event_id, delivery.error)
                session.execute(update(self.outbox).where(c.seq == row.seq).values(last_error=delivery.error))
                continue
            attempts = row.attempts + 1
            parked = attempts >= self.max_attempts
            values = {
                "attempts": attempts,
                "last_error": delivery.error,
                "failed_at": now if parked else None,
            }
            session.execute(update(self.outbox).where(c.seq == row.seq).values(**values))
            if parked:
                log.error(
                    "outbox event %s parked after %d attempts: %s", row.event_id, attempts, delivery.error
                )
        return len(sent)

    def run(self, stop: threading.Event, *, idle: float = 0.2, max_backoff: float = 5.0) -> None:
        """Relay until stop is set; backs off while nothing can be delivered."""
        backoff = idle
        while not stop.is_set():
            try:
                pending, delivered = self.run_once()
            except Exception:
                log.exception("outbox relay round failed; retrying")
                pending, delivered = 1, 0
            if delivered:
                backoff = idle
                continue
            if pending:
                backoff = min(backoff * 2, max_backoff)
                stop.wait(backoff)
            else:
                OUTBOX_COMMITTED.wait(idle)
                OUTBOX_COMMITTED.clear()
