"""One clock: now in UTC, injectable where a use case needs a fixed time in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, aware, in UTC (what every column stores)."""
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """An instant in UTC; a naive datetime (as SQLite returns it) is taken as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class Clocked:
    """A use-case class with an injectable clock (`self.clock`, set by its constructor) read through now()."""

    clock: Clock

    def now(self) -> datetime:
        """The clock's now, in UTC (an injected clock may answer in any zone)."""
        return utc(self.clock())


def shifted_clock(path: Path) -> Clock:
    """utc_now moved by the seconds written in `path` (re-read at each call; none or garbage: not moved) —
    a test's clock, for deadlines counted in days."""

    def now() -> datetime:
        try:
            shift = float(path.read_text().strip() or 0)
        except (OSError, ValueError):
            shift = 0.0
        return utc_now() + timedelta(seconds=shift)

    return now
