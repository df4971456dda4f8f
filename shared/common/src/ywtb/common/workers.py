"""Background workers of a service: a loop run until the stop event, and the periodic round helper."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)

Worker = Callable[[threading.Event], None]


def periodic(name: str, round_: Callable[[], object], *, interval_s: float) -> Worker:
    """A worker that runs `round_` every `interval_s` until stopped; a failed round is logged and retried.

    One bad round (a database restart, a lost connection) must not end the loop: the runtime stops the
    whole service when a worker returns with an exception.
    """
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")

    def run(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                round_()
            except Exception:
                log.exception("%s round failed; retrying in %.0f s", name, interval_s)
            stop.wait(interval_s)

    run.__name__ = f"periodic_{name}"
    return run


MAX_BACKOFF_S = 600


def backoff_s(attempts: int) -> int:
    """Seconds before the next try of a round's item that failed `attempts` times: doubling, at most 10 min."""
    return min(2 ** max(attempts, 0), MAX_BACKOFF_S)


def failure_reason(error: BaseException) -> str:
    """What went wrong, without the statement's parameters a database error carries (personal data)."""
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {cause}"[:500]


class RetriedRow(Protocol):
    """A round's item that remembers its failures."""

    attempts: int
    last_error: str
    next_at: datetime | None
    updated_at: datetime


def retry_later(row: RetriedRow, reason: str, now: datetime) -> None:
    """Note a failed try on the item's row: one more attempt, why, and when to try again (backoff_s)."""
    row.attempts += 1
    row.last_error = reason
    row.next_at = now + timedelta(seconds=backoff_s(row.attempts))
    row.updated_at = now
