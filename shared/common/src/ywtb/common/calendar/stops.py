"""Clock stops (特别程序: hearing, testing, expert review) and which working days they swallow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

ClockStop = tuple[datetime, datetime | None]


def _require_aware(moment: datetime) -> datetime:
    """Reject naive datetimes (a check, not a conversion: ywtb.common.clock.utc converts)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"clock stop bounds must be timezone-aware datetimes, got {moment!r}")
    return moment


class StopSet:
    """The union of clock-stop intervals [stop_start, stop_end); stop_end None = still stopped."""

    def __init__(
        self,
        stops: Iterable[ClockStop],
        tz: ZoneInfo,
        office_hours: tuple[time, time],
        *,
        allow_open: bool = True,
    ) -> None:
        self.tz, self.office_hours = tz, office_hours
        spans: list[tuple[datetime, datetime | None]] = []
        for begin, end in stops:
            _require_aware(begin)
            if end is None:
                if not allow_open:
                    raise ValueError("a clock stop is still open (no end): the deadline is not known yet")
            elif _require_aware(end) < begin:
                raise ValueError(f"clock stop ends {end.isoformat()} before it starts {begin.isoformat()}")
            spans.append((begin, end))
        self._spans = self._merge(spans)

    @staticmethod
    def _merge(spans: list[tuple[datetime, datetime | None]]) -> list[tuple[datetime, datetime | None]]:
        """Sorted, overlapping or touching intervals joined."""
        merged: list[tuple[datetime, datetime | None]] = []
        for begin, end in sorted(spans, key=lambda span: span[0]):
            if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
                last_begin, last_end = merged[-1]
                joined = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_begin, joined)
            else:
                merged.append((begin, end))
        return merged

    def __bool__(self) -> bool:
        """Whether any clock stop is recorded."""
        return bool(self._spans)

    def covers_office_hours(self, day: date) -> bool:
        """Whether one stopped interval contains the whole of the day's office hours."""
        opens = datetime.combine(day, self.office_hours[0], tzinfo=self.tz)
        closes = datetime.combine(day, self.office_hours[1], tzinfo=self.tz)
        return any(begin <= opens and (end is None or end >= closes) for begin, end in self._spans)
