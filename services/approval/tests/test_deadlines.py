"""Deadlines in working days across the 2026 National Day holiday, clock stops, extensions, colours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from ywtb.api.approval.v1 import approval_pb2 as pb
from ywtb.approval import convert
from ywtb.approval.deadlines import (
    case_deadline,
    close_open_stops,
    extended_deadline,
    step_deadline,
)
from ywtb.common.calendar import national_calendar
from ywtb.common.errors import InvalidArgument

CST = timezone(timedelta(hours=8))
ACCEPTED = datetime(2026, 9, 28, 10, 0, tzinfo=CST)  # Monday before 国庆节 (10-01 … 10-07 off)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=national_calendar().tz)


def test_national_day_2026_calendar_facts() -> None:
    calendar = national_calendar()
    assert [calendar.is_workday(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert date(2026, 10, 10).weekday() == 5 and calendar.is_workday(date(2026, 10, 10))  # 调休上班


def test_case_deadline_across_national_day() -> None:
    # Counted: 09-29, 09-30, 10-08, 10-09, 10-10 (Saturday make-up working day).
    deadline = case_deadline(ACCEPTED, 5)
    assert deadline == end_of(date(2026, 10, 10))
    assert deadline.isoformat() == "2026-10-10T23:59:59.999999+08:00"
    # Accepted in the evening or on a holiday: the start day is still not counted.
    assert case_deadline(at(9, 28, 23, 30), 5) == end_of(date(2026, 10, 10))
    assert case_deadline(at(10, 3), 1) == end_of(date(2026, 10, 8))


def test_case_deadline_across_a_clock_stop() -> None:
    # 专家评审 from 09-29 08:00 to 09-30 18:00: both working days are wholly stopped.
    expert_review = (at(9, 29, 8), at(9, 30, 18))
    assert case_deadline(ACCEPTED, 5, [expert_review]) == end_of(date(2026, 10, 13))
    # A stop covering only part of office hours does not move the deadline (favours the applicant).
    assert case_deadline(ACCEPTED, 5, [(at(9, 29, 14), at(9, 30, 10))]) == end_of(date(2026, 10, 10))
    # A stop over holidays only stops nothing that was counted.
    assert case_deadline(ACCEPTED, 5, [(at(10, 1, 0), at(10, 7, 23))]) == end_of(date(2026, 10, 10))
    # Still suspended: no deadline yet; the provisional one assumes the procedure ends now.
    open_stop = [(at(9, 29, 8), None)]
    with pytest.raises(ValueError):
        case_deadline(ACCEPTED, 5, open_stop)
    assert case_deadline(ACCEPTED, 5, close_open_stops(open_stop, at(9, 30, 18))) == end_of(
        date(2026, 10, 13)
    )


def test_step_deadlines() -> None:
    assert step_deadline(at(9, 30, 16), 1) == end_of(date(2026, 10, 8))
    assert step_deadline(at(9, 30, 16), 0) == end_of(date(2026, 9, 30))
    assert step_deadline(at(10, 3), 0) == end_of(date(2026, 10, 8))  # started on a holiday
    assert step_deadline(at(10, 9), 3, [(at(10, 12, 0), at(10, 12, 23))]) == end_of(date(2026, 10, 14))


def test_extension_of_the_legal_limit() -> None:
    # 20 working days from 09-28: …, 10-26 … 10-30; +10 (art. 42): 11-02 … 11-13.
    assert case_deadline(ACCEPTED, 20) == end_of(date(2026, 10, 30))
    assert extended_deadline(ACCEPTED, 20, 10) == end_of(date(2026, 11, 13))
    assert extended_deadline(ACCEPTED, 20, 4, already_extended_days=6) == end_of(date(2026, 11, 13))
    with pytest.raises(InvalidArgument) as err:
        extended_deadline(ACCEPTED, 20, 11)
    assert "最多可延长10个工作日" in err.value.message
    with pytest.raises(InvalidArgument):
        extended_deadline(ACCEPTED, 20, 5, already_extended_days=6)
    with pytest.raises(InvalidArgument):
        extended_deadline(ACCEPTED, 20, 0)
    assert extended_deadline(ACCEPTED, 45, 15, joint=True) == case_deadline(ACCEPTED, 60)


@pytest.mark.parametrize(
    ("now", "colour"),
    [
        (at(9, 29), pb.DEADLINE_COLOUR_GREEN),
        (at(10, 1), pb.DEADLINE_COLOUR_GREEN),  # holiday: 3 working days left (10-08, 09, 10)
        (at(10, 8), pb.DEADLINE_COLOUR_YELLOW),  # 2 left (the portal's "剩余 2 个工作日")
        (at(10, 9), pb.DEADLINE_COLOUR_YELLOW),  # 1 left
        (at(10, 10, 23, 59), pb.DEADLINE_COLOUR_YELLOW),  # due today: not yet overdue
        (at(10, 11, 0, 1), pb.DEADLINE_COLOUR_RED),  # Sunday after the deadline
        (at(10, 12), pb.DEADLINE_COLOUR_RED),
    ],
)
def test_supervision_colours_follow_the_common_deadline_light(now: datetime, colour: int) -> None:
    deadline = case_deadline(ACCEPTED, 5)
    assert convert.colour(now, deadline) == colour
