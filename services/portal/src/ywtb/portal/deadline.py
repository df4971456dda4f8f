"""Deadline colours of the workbench: green / yellow / red with a text, counted in working days."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from ywtb.common.calendar import (
    WARN_WORKDAYS,
    CalendarNotMaintained,
    WorkCalendar,
    deadline_light,
    local_date,
    national_calendar,
)

NOON = time(12)


@dataclass(frozen=True)
class DeadlineState:
    """A deadline as the workbench shows it: colour (green, yellow, red; "none" when unknown) and text."""

    colour: str
    remaining: int | None  # working days left after today: 0 = due today, negative = overdue
    text: str
    text_en: str
    day: date
    kind: str = ""  # what the deadline is for: "acceptance", "promised", "supply", "step", "case"

    def label(self, lang: str) -> str:
        """The text in `lang`."""
        return self.text_en if lang == "en" else self.text


def deadline_state(
    deadline: date | datetime,
    today: date,
    *,
    warn_workdays: int = WARN_WORKDAYS,
    calendar: WorkCalendar | None = None,
) -> DeadlineState:
    """The colour of ywtb.common.calendar.deadline_light (red overdue, yellow close to it) with its text."""
    calendar = calendar or national_calendar()
    day = local_date(deadline, calendar.tz) if isinstance(deadline, datetime) else deadline
    now = datetime.combine(today, NOON, tzinfo=calendar.tz)
    end = datetime.combine(day, time.max, tzinfo=calendar.tz)
    try:
        light = deadline_light(now, end, warn_workdays=warn_workdays, calendar=calendar)
    except CalendarNotMaintained:
        return DeadlineState("none", None, f"期限 {day.isoformat()}", f"Due {day.isoformat()}", day)
    left, colour = light.remaining, light.colour.value
    if left < 0:
        return DeadlineState(
            colour, left, f"已超期 {-left} 个工作日", f"Overdue by {-left} working day(s)", day
        )
    if left == 0:
        return DeadlineState(colour, 0, "今日到期", "Due today", day)
    return DeadlineState(colour, left, f"剩余 {left} 个工作日", f"{left} working day(s) left", day)


def parse_instant(value: str) -> datetime:
    """An RFC 3339 instant as the gateway writes it ("2026-10-08T01:30:00Z")."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def intake_deadline(
    case: dict[str, Any], today: date, *, warn_workdays: int = WARN_WORKDAYS
) -> DeadlineState | None:
    """The deadline of a case in intake: deemed acceptance (as intake counts it) while it waits for a
    clerk, the promised completion date once accepted; None otherwise."""
    status = str(case.get("status", "")).removeprefix("CASE_STATUS_")
    if status == "SUBMITTED" and case.get("acceptance_deadline"):
        day = parse_instant(case["acceptance_deadline"])
        return replace(deadline_state(day, today, warn_workdays=warn_workdays), kind="acceptance")
    if status == "ACCEPTED" and case.get("promised_completion_date"):
        promised = date.fromisoformat(case["promised_completion_date"])
        return replace(deadline_state(promised, today, warn_workdays=warn_workdays), kind="promised")
    return None
