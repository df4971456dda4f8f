"""The one way to build the working-day calendar: chinesecalendar plus the override file (调整表, calendar/data/overrides.csv)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ywtb.common.calendar.files import load_override_file
from ywtb.common.calendar.workdays import WorkCalendar
from ywtb.common.errors import ConfigError


def load_calendar(path: str | Path | None = None) -> WorkCalendar:
    """A calendar from an override file (the one shipped with ywtb.common by default); national rows only."""
    rows = load_override_file(path)
    local = sorted({row.tenant for row in rows if row.tenant is not None})
    if local:  # the one calendar counts for every tenant: a local row would apply everywhere
        raise ConfigError(
            f"工作日历调整表只能录入全国统一的调整（租户列留空），不能录入地方调整：{', '.join(local)}。",
            message_en=f"the override file holds tenant rows {local}; only national rows are supported",
        )
    return WorkCalendar(rows)


@lru_cache(maxsize=1)
def national_calendar() -> WorkCalendar:
    """The calendar every service and the portal count deadlines with (read once per process)."""
    return load_calendar()
