"""办理时限: case and step deadlines in working days, extensions (colours: ywtb.common.calendar.deadline_light).

All counting goes through ywtb.common.calendar.WorkCalendar (Administrative Licensing Law
art. 82: working days, the start day not counted; art. 45: time of special procedures —
hearing, testing, expert review — is not counted, given here as clock stops).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from ywtb.approval.events import AcceptedCase
from ywtb.approval.models import SUSPENDED, ClockStopRow, Instance
from ywtb.common.calendar import ClockStop, WorkCalendar, national_calendar
from ywtb.common.clock import utc
from ywtb.common.errors import InvalidArgument

# 行政许可法第四十二条: decision within 20 working days, extendable once by 10 with the
# approval of the organ's head; joint or centralised handling 45, extendable by 15. The decision
# limit itself comes with each case (its promised days); the extensions are counted here.
LEGAL_EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15


def case_deadline(
    accepted_at: datetime,
    promised_days: int,
    clock_stops: Sequence[ClockStop] = (),
    *,
    extension_days: int = 0,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """承诺办结期限: end of the last working day of promised (+ extension) days after acceptance.

    Working days wholly inside a closed clock stop (特别程序) are not counted; an open stop
    raises ValueError (the deadline is not known until the procedure ends).
    """
    if extension_days < 0:
        raise InvalidArgument("延长期限的工作日数不能为负数。", fields={"extension_days": "须 ≥ 0"})
    return (calendar or national_calendar()).deadline(
        accepted_at, promised_days + extension_days, clock_stops
    )


def step_deadline(
    started_at: datetime,
    step_days: int,
    clock_stops: Sequence[ClockStop] = (),
    *,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """环节时限: end of the last working day of a step's limit; 0 days = the day it started (or the next working day)."""
    return (calendar or national_calendar()).deadline(started_at, step_days, clock_stops)


def max_extension_days(*, joint: bool = False) -> int:
    """The longest extension the law allows: 10 working days, 15 for joint handling (一件事 / 联合办理)."""
    return JOINT_EXTENSION_DAYS if joint else LEGAL_EXTENSION_DAYS


def extended_deadline(
    accepted_at: datetime,
    promised_days: int,
    extension_days: int,
    clock_stops: Sequence[ClockStop] = (),
    *,
    already_extended_days: int = 0,
    joint: bool = False,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """延长期限: the case deadline after extending by N working days, within the legal maximum."""
    if extension_days <= 0:
        raise InvalidArgument("延长期限须为正整数个工作日。", fields={"extension_days": "须 ≥ 1"})
    total = already_extended_days + extension_days
    allowed = max_extension_days(joint=joint)
    if total > allowed:
        raise InvalidArgument(
            f"依据《行政许可法》第四十二条，办理期限最多可延长{allowed}个工作日，"
            f"本次申请后累计将延长{total}个工作日，请调整延长天数。",
            fields={"extension_days": f"累计不超过{allowed}个工作日"},
        )
    return case_deadline(accepted_at, promised_days, clock_stops, extension_days=total, calendar=calendar)


def close_open_stops(clock_stops: Sequence[ClockStop], now: datetime) -> list[ClockStop]:
    """Stops with an open end taken as ending now: the provisional deadline of a suspended case."""
    return [(begin, end if end is not None else max(begin, now)) for begin, end in clock_stops]


def as_stops(rows: Sequence[ClockStopRow]) -> list[ClockStop]:
    """The clock stops (特别程序) of a case's rows, an open one ending None."""
    return [(utc(row.started_at), utc(row.ended_at) if row.ended_at else None) for row in rows]


def promised_workdays(case: AcceptedCase, process_days: int, calendar: WorkCalendar) -> int:
    """The promised limit in working days: the event's, else its date's, else the process's step days."""
    if case.promised_days:
        return case.promised_days
    if case.promised_date is not None:
        end = datetime.combine(case.promised_date, time(12), tzinfo=calendar.tz)
        return max(calendar.workdays_between(case.accepted_at, end), 0)
    return process_days


def instance_deadline(instance: Instance, stops: Sequence[ClockStop], calendar: WorkCalendar) -> datetime:
    """A case's deadline from its acceptance, promised days, extension and (closed) clock stops."""
    return case_deadline(
        utc(instance.accepted_at),
        instance.promised_days,
        stops,
        extension_days=instance.extension_days,
        calendar=calendar,
    )


def current_deadline(
    instance: Instance, stops: Sequence[ClockStopRow], now: datetime, calendar: WorkCalendar
) -> datetime:
    """The case deadline; while suspended, the provisional one (the procedure taken as ending now)."""
    if instance.status == SUSPENDED:
        return instance_deadline(instance, close_open_stops(as_stops(stops), now), calendar)
    return utc(instance.case_deadline)


def elapsed_workdays(
    instance: Instance, stops: Sequence[ClockStopRow], now: datetime, calendar: WorkCalendar
) -> int:
    """Counted working days from acceptance to now, clock stops left out."""
    return calendar.workdays_between(utc(instance.accepted_at), now, as_stops(stops))
