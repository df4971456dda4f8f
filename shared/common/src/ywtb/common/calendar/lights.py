"""Deadline lights (电子监察 红黄绿灯): the one rule approval's supervision colours and the portal use.

Red once the deadline has passed (超期); yellow with at most `WARN_WORKDAYS` working days left after
today, the due day itself included (临近到期); green otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ywtb.common.calendar.factory import national_calendar
from ywtb.common.calendar.workdays import WorkCalendar

WARN_WORKDAYS = 2


class DeadlineColour(StrEnum):
    """Supervision light: green on time, yellow close to the limit, red overdue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class DeadlineLight:
    """A deadline's colour and the working days left after today (0 = due today, negative = overdue)."""

    colour: DeadlineColour
    remaining: int


def deadline_light(
    now: datetime,
    deadline: datetime,
    *,
    warn_workdays: int = WARN_WORKDAYS,
    calendar: WorkCalendar | None = None,
) -> DeadlineLight:
    """The light of a deadline seen at `now` (CalendarNotMaintained for a year the calendar lacks)."""
    if warn_workdays < 0:
        raise ValueError("warn_workdays must be >= 0")
    left = (calendar or national_calendar()).remaining_workdays(now, deadline)  # negative iff now > deadline
    if left < 0:
        return DeadlineLight(DeadlineColour.RED, left)
    return DeadlineLight(DeadlineColour.YELLOW if left <= warn_workdays else DeadlineColour.GREEN, left)
