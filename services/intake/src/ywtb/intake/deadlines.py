"""Intake's deadlines in working days: the promised completion date, 容缺 supply dates, deemed acceptance.

Counting goes through the one calendar (ywtb.common.calendar.national_calendar: chinesecalendar plus
the override file), the start day not counted (行政许可法第八十二条).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.common.calendar import WorkCalendar, local_date


def item_promised_date(item: dict[str, Any], accepted_at: datetime, calendar: WorkCalendar) -> date:
    """One item's promised date: the acceptance day for instant items, else its promised limit counted."""
    day = local_date(accepted_at, calendar.tz)
    limit = item["promised_limit"]
    if item["case_type"] == catalog_pb2.CASE_TYPE_INSTANT or limit["value"] <= 0:
        return day
    if limit["unit"] == catalog_pb2.TIME_UNIT_NATURAL_DAY:
        last = day + timedelta(days=limit["value"])
        while not calendar.is_workday(last):  # a limit never ends on a holiday
            last += timedelta(days=1)
        return last
    return calendar.add_workdays(day, limit["value"])


def governing_item(item: dict[str, Any], accepted_at: datetime, calendar: WorkCalendar) -> dict[str, Any]:
    """The item (or, for a bundle, the bundled item) whose promised limit ends last."""
    parts = item.get("parts") or []
    if not parts:
        return item
    return max(parts, key=lambda part: item_promised_date(part, accepted_at, calendar))


def promised_date(item: dict[str, Any], accepted_at: datetime, calendar: WorkCalendar) -> date:
    """The promised completion date; 一件事: the latest of the bundled items' (approved in parallel)."""
    return item_promised_date(governing_item(item, accepted_at, calendar), accepted_at, calendar)


def supply_deadline(accepted_at: datetime, workdays: int, calendar: WorkCalendar) -> date:
    """容缺: the last day to supply the missing minor materials."""
    return calendar.add_workdays(accepted_at, workdays)


def deemed_acceptance_deadline(received_at: datetime, workdays: int, calendar: WorkCalendar) -> datetime:
    """逾期视为受理: the end of the last working day a clerk has to handle a submission."""
    return calendar.deadline(received_at, workdays)
