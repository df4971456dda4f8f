"""Background workers of a service: a loop run until the stop event, and the periodic round helper."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

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
