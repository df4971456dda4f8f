"""Delivers the staged callbacks, signed, retrying with backoff on a non-2xx or a connection error."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.payment.nontax.signing import sign
from ywtb.payment.nontax_simulator.tables import CallbackRow

logger = logging.getLogger("ywtb.payment.nontax_simulator.callbacks")
POLL_S = 0.2


class CallbackSender(Clocked):
    """One thread posting due callbacks in order; the rows survive a restart (a real platform's queue)."""

    def __init__(
        self,
        db: Database,
        url: str,
        key: str,
        *,
        attempts: int,
        backoff_s: float,
        timeout_s: float,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.url = url
        self.path = urlsplit(url).path or "/"
        self.key = key
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the delivery thread (nothing to do without a callback URL)."""
        if not self.url or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="nontax-callbacks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread; undelivered callbacks stay for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 1)
            self._thread = None

    def wake(self) -> None:
        """A callback was staged: look now rather than at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while not self._stop.is_set():
                self._wake.wait(POLL_S)
                self._wake.clear()
                try:
                    self.deliver_due(client)
                except Exception:
                    logger.exception("callback round failed")

    def deliver_due(self, client: httpx.Client) -> None:
        """Post every due callback once; a failure is retried later or given up after the last attempt."""
        with self.db.transaction() as session:
            due = session.scalars(
                select(CallbackRow)
                .where(CallbackRow.state == "pending", CallbackRow.due_at <= self.now())
                .order_by(CallbackRow.due_at, CallbackRow.id)
            ).all()
        for row in due:
            if self._stop.is_set():
                return
            error = self._post(client, row.body.encode("utf-8"))
            self._record(row.id, error)

    def _post(self, client: httpx.Client, body: bytes) -> str:
        """ "" when the receiver answered 2xx, else what went wrong."""
        headers = {"Content-Type": "application/json", **sign(self.key, "POST", self.path, body)}
        try:
            response = client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"[:200]
        return "" if response.is_success else f"answered {response.status_code}"

    def _record(self, callback_id: int, error: str) -> None:
        with self.db.transaction() as session:
            row = session.get(CallbackRow, callback_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error
            if not error:
                row.state = "delivered"
                logger.info("callback of %s delivered (attempt %d)", row.notice_no, row.attempts)
            elif row.attempts >= self.attempts:
                row.state = "failed"
                logger.warning(
                    "callback of %s given up after %d attempts: %s", row.notice_no, row.attempts, error
                )
            else:
                row.due_at = self.now() + timedelta(seconds=self.backoff_s * 2 ** (row.attempts - 1))
                logger.info(
                    "callback of %s failed (attempt %d): %s; retrying", row.notice_no, row.attempts, error
                )
