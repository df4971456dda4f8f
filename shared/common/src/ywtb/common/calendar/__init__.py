"""Working-day calendar (工作日历) every service uses for deadlines."""

from ywtb.common.calendar.factory import load_calendar, national_calendar
from ywtb.common.calendar.files import load_override_file, parse_override_csv
from ywtb.common.calendar.lights import WARN_WORKDAYS, DeadlineColour, DeadlineLight, deadline_light
from ywtb.common.calendar.overrides import DayOverride, for_tenant, resolve, tenant_chain
from ywtb.common.calendar.stops import ClockStop
from ywtb.common.calendar.workdays import (
    PACKAGE_YEARS,
    SHANGHAI,
    CalendarNotMaintained,
    WorkCalendar,
    day_bounds,
    local_date,
)

__all__ = [
    "PACKAGE_YEARS",
    "SHANGHAI",
    "WARN_WORKDAYS",
    "CalendarNotMaintained",
    "DeadlineColour",
    "DeadlineLight",
    "ClockStop",
    "DayOverride",
    "WorkCalendar",
    "day_bounds",
    "deadline_light",
    "for_tenant",
    "load_calendar",
    "load_override_file",
    "local_date",
    "national_calendar",
    "parse_override_csv",
    "resolve",
    "tenant_chain",
]
