"""WorkCalendar: working days (工作日) and deadlines from chinesecalendar plus overrides."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import chinese_calendar

from ywtb.common.calendar.overrides import DayOverride, resolve
from ywtb.common.calendar.stops import ClockStop, StopSet
from ywtb.common.errors import FailedPrecondition

SHANGHAI = ZoneInfo("Asia/Shanghai")
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
_DAY = timedelta(days=1)


class CalendarNotMaintained(FailedPrecondition):
    """A date falls in a year neither chinesecalendar nor the override table covers."""

    default_code = "CALENDAR_NOT_MAINTAINED"

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的工作日历尚未维护，无法计算工作日期限。请系统管理员按国务院办公厅公布的{year}年"
            f"节假日安排，在工作日历调整表中录入该年全部放假日和调休上班日，并标记为全年安排（full_year）。",
            message_en=f"working-day calendar for {year} is not maintained; add that year's schedule to the overrides",
        )


def local_date(moment: datetime, tz: ZoneInfo = SHANGHAI) -> date:
    """The calendar date of an aware instant in tz; naive datetimes raise ValueError."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} not allowed; pass a timezone-aware one")
    return moment.astimezone(tz).date()


def day_bounds(first: date, last: date | None = None, tz: ZoneInfo = SHANGHAI) -> tuple[datetime, datetime]:
    """The local days first…last (default: first alone) as UTC instants [start, end) — the form every
    column stores, so that SQLite's text comparison holds too."""
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine((last or first) + timedelta(days=1), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class WorkCalendar:
    """Working-day calendar: chinesecalendar for 2004–2026, overrides winning and covering later years.

    Counting (Administrative Licensing Law art. 82, DOMAIN.md §2): the start day is not counted;
    the n-th following counted working day is the last day, so a limit never ends on a holiday.
    Clock stops (特别程序, art. 45): a working day is not counted only when the stopped time
    covers the whole of its office hours (default 09:00–17:00 local); a day only partly stopped
    still counts, which favours the applicant.
    """

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        tz: ZoneInfo = SHANGHAI,
        *,
        office_hours: tuple[time, time] = (time(9), time(17)),
    ) -> None:
        rows = list(overrides)
        self._overrides = resolve(rows)
        self._declared_years = frozenset(row.day.year for row in rows if row.full_year)
        self.tz = tz
        if not office_hours[0] < office_hours[1]:
            raise ValueError("office hours must open before they close")
        self.office_hours = office_hours

    def covered_years(self) -> frozenset[int]:
        """Years this calendar can answer for: the package's years plus years declared full_year."""
        return frozenset(PACKAGE_YEARS) | self._declared_years

    def is_workday(self, day: date | datetime) -> bool:
        """Whether a day (or an aware instant's local day) is a working day; uncovered year raises."""
        if isinstance(day, datetime):
            day = local_date(day, self.tz)
        if day.year not in PACKAGE_YEARS and day.year not in self._declared_years:
            raise CalendarNotMaintained(day.year)
        override = self._overrides.get(day)
        if override is not None:
            return override.is_workday
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: date | datetime, n: int) -> date:
        """The n-th working day after start (start not counted); n=0: start if working, else the next."""
        return self._last_day(self._as_date(start), n, StopSet((), self.tz, self.office_hours))

    def deadline(self, start: datetime, n: int, clock_stops: Sequence[ClockStop] = ()) -> datetime:
        """End (23:59:59.999999 local) of the last day of an n-working-day limit from an aware start.

        Working days whose office hours are wholly inside a clock stop are skipped and so
        extend the limit; every stop must be closed (an open stop leaves no deadline yet).
        """
        stops = StopSet(clock_stops, self.tz, self.office_hours, allow_open=False)
        last = self._last_day(local_date(start, self.tz), n, stops)
        return datetime.combine(last, time.max, tzinfo=self.tz)

    def workdays_between(self, start: datetime, end: datetime, clock_stops: Sequence[ClockStop] = ()) -> int:
        """Counted working days after start's day up to and including end's day (negative if end is earlier).

        Consistent with deadline(): workdays_between(s, deadline(s, n, stops), stops) == n for n >= 1.
        An open stop (end None) is taken as still running.
        """
        stops = StopSet(clock_stops, self.tz, self.office_hours, allow_open=True)
        first, last = local_date(start, self.tz), local_date(end, self.tz)
        if last < first:
            return -self._count(last, first, stops)
        return self._count(first, last, stops)

    def remaining_workdays(self, now: datetime, deadline: datetime) -> int:
        """Working days left after today (0 = due today); negative when overdue.

        Overdue by -k means today lies in the k-th working day after the deadline's day, a rest
        day belonging to the working day that follows it.
        """
        today, last = local_date(now, self.tz), local_date(deadline, self.tz)
        stops = StopSet((), self.tz, self.office_hours)
        if now <= deadline:
            return self._count(today, last, stops)
        late = self._count(last, today, stops)
        if today > last and not self.is_workday(today):
            late += 1
        return -max(late, 1)

    def _as_date(self, day: date | datetime) -> date:
        """A date, taking an aware datetime's local day."""
        return local_date(day, self.tz) if isinstance(day, datetime) else day

    def _counts(self, day: date, stops: StopSet) -> bool:
        """A working day not wholly stopped."""
        return self.is_workday(day) and not stops.covers_office_hours(day)

    @cached_property
    def _ranks(self) -> _WorkdayRanks:
        """Cumulative working-day counts over the covered years that follow the package's first year."""
        return _WorkdayRanks(self)

    def _count(self, first: date, last: date, stops: StopSet) -> int:
        """Counted days in (first, last]."""
        if not stops:
            fast = self._ranks.count(first, last)
            if fast is not None:
                return fast
        total, day = 0, first + _DAY
        while day <= last:
            total += self._counts(day, stops)
            day += _DAY
        return total

    def _last_day(self, start: date, n: int, stops: StopSet) -> date:
        """The n-th counted day after start; for n=0 start itself or the next counted day."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"number of working days must be an int >= 0, got {n!r}")
        day = start
        if n == 0:
            while not self._counts(day, stops):
                day += _DAY
            return day
        if not stops:
            fast = self._ranks.nth_after(start, n)
            if fast is not None:
                return fast
        while n:
            day += _DAY
            n -= self._counts(day, stops)
        return day


class _WorkdayRanks:
    """Working days counted once per day of the contiguous covered years: day arithmetic by lookup.

    Days outside that span (an uncovered year, a declared year after a gap) return None and are
    walked day by day as before, which also raises CalendarNotMaintained where it must.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        covered = calendar.covered_years()
        first_year = last_year = min(covered)
        while last_year + 1 in covered:
            last_year += 1
        self._origin = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal()
        running, ranks = 0, []
        for ordinal in range(self._origin, end + 1):
            running += calendar.is_workday(date.fromordinal(ordinal))
            ranks.append(running)
        self._ranks = ranks

    def _offset(self, day: date) -> int | None:
        """Index of a day in the span, or None outside it."""
        offset = day.toordinal() - self._origin
        return offset if 0 <= offset < len(self._ranks) else None

    def count(self, first: date, last: date) -> int | None:
        """Working days in (first, last], or None when a bound lies outside the span."""
        a, b = self._offset(first), self._offset(last)
        if a is None or b is None:
            return None
        return self._ranks[b] - self._ranks[a]

    def nth_after(self, start: date, n: int) -> date | None:
        """The n-th working day after start (n >= 1), or None when it lies outside the span."""
        a = self._offset(start)
        if a is None:
            return None
        index = bisect_left(self._ranks, self._ranks[a] + n, lo=a)
        if index >= len(self._ranks):
            return None
        return date.fromordinal(self._origin + index)
