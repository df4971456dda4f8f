"""The one way to build the working-day calendar: chinesecalendar plus the override table (调整表)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ywtb.common.calendar.files import load_override_file
from ywtb.common.calendar.overrides import DayOverride
from ywtb.common.calendar.workdays import WorkCalendar


def load_calendar(path: str | Path | None = None, tenant_rows: Iterable[DayOverride] = ()) -> WorkCalendar:
    """A calendar from the override file (the one shipped with ywtb.common by default) and tenant rows."""
    return WorkCalendar([*load_override_file(path), *tenant_rows])


@lru_cache(maxsize=1)
def national_calendar() -> WorkCalendar:
    """The calendar every service and the portal count deadlines with (read once per process)."""
    return load_calendar()
