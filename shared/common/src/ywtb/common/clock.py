"""One clock: now in UTC, injectable where a use case needs a fixed time in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, aware, in UTC (what every column stores)."""
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """An instant in UTC; a naive datetime (as SQLite returns it) is taken as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
