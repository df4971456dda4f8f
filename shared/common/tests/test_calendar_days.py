"""day_bounds: local days as the UTC instants every column stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ywtb.common.calendar import day_bounds


def test_a_beijing_day_starts_at_16_utc_the_day_before() -> None:
    assert day_bounds(date(2026, 12, 8)) == (
        datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 16, 0, tzinfo=UTC),
    )


def test_several_days_end_after_the_last() -> None:
    start, end = day_bounds(date(2026, 10, 1), date(2026, 10, 7))
    assert (start.day, end.day, end.hour, end.tzinfo) == (30, 7, 16, UTC)
