"""Deadline colours count working days with the national calendar (National Day 2026: 1–7 Oct off, Sat 10 Oct on)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ywtb.common.calendar import DayOverride, WorkCalendar
from ywtb.portal.deadline import deadline_state


@pytest.mark.parametrize(
    ("deadline", "today", "colour", "text"),
    [
        # Wed 30 Sep → Fri 9 Oct: nine calendar days, but only 8 and 9 Oct are working days.
        (date(2026, 10, 9), date(2026, 9, 30), "yellow", "剩余 2 个工作日"),
        # Tue 29 Sep → Mon 12 Oct: 30 Sep, 8, 9, Sat 10 (调休上班), 12 Oct.
        (date(2026, 10, 12), date(2026, 9, 29), "green", "剩余 5 个工作日"),
        # a deadline after the holiday seen from inside it: 8 and 9 Oct left.
        (date(2026, 10, 9), date(2026, 10, 3), "yellow", "剩余 2 个工作日"),
        (date(2026, 10, 10), date(2026, 10, 9), "yellow", "剩余 1 个工作日"),
        (
            date(2026, 10, 8),
            date(2026, 10, 8),
            "yellow",
            "今日到期",
        ),  # due, not yet overdue: approval's colour too
        # due Wed 30 Sep; on Thu 8 Oct one working day late, the holiday not counted.
        (date(2026, 9, 30), date(2026, 10, 8), "red", "已超期 1 个工作日"),
        (date(2026, 9, 30), date(2026, 10, 12), "red", "已超期 4 个工作日"),
    ],
)
def test_colour_and_text_in_working_days_across_national_day(
    deadline: date, today: date, colour: str, text: str
) -> None:
    state = deadline_state(deadline, today)
    assert (state.colour, state.text) == (colour, text)


def test_the_warning_threshold_is_a_parameter() -> None:
    assert deadline_state(date(2026, 10, 12), date(2026, 9, 29)).colour == "green"
    assert deadline_state(date(2026, 10, 12), date(2026, 9, 29), warn_workdays=5).colour == "yellow"
    assert deadline_state(date(2026, 10, 9), date(2026, 9, 30), warn_workdays=1).colour == "green"
    assert deadline_state(date(2026, 10, 9), date(2026, 9, 30), warn_workdays=0).colour == "green"
    assert deadline_state(date(2026, 10, 8), date(2026, 10, 8), warn_workdays=0).colour == "yellow"


def test_an_instant_deadline_counts_its_local_day_and_english_is_available() -> None:
    end_of_9_oct = datetime(2026, 10, 9, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Beijing
    state = deadline_state(end_of_9_oct, date(2026, 9, 30))
    assert state.day == date(2026, 10, 9) and state.remaining == 2
    assert state.label("en") == "2 working day(s) left" and state.label("zh") == "剩余 2 个工作日"
    late = deadline_state(date(2026, 9, 30), date(2026, 10, 8))
    assert late.remaining == -1 and late.label("en") == "Overdue by 1 working day(s)"


def test_a_given_calendar_wins_and_an_unmaintained_year_gives_no_colour() -> None:
    local_holiday = WorkCalendar([DayOverride(day=date(2026, 10, 8), is_workday=False)])
    assert (
        deadline_state(date(2026, 10, 9), date(2026, 9, 30), calendar=local_holiday).text == "剩余 1 个工作日"
    )
    unknown = deadline_state(date(2027, 1, 5), date(2026, 12, 30))
    assert (unknown.colour, unknown.remaining, unknown.text) == ("none", None, "期限 2027-01-05")


def test_the_portal_shows_intakes_acceptance_deadline_and_does_not_recompute_it() -> None:
    from ywtb.portal.deadline import intake_deadline

    # 2026-10-13 23:59:59 Beijing: as intake counted it (whatever its calendar held), not 10-12 recomputed here.
    case = {
        "status": "CASE_STATUS_SUBMITTED",
        "received_at": "2026-09-29T02:00:00Z",
        "acceptance_deadline": "2026-10-13T15:59:59.999999Z",
    }
    state = intake_deadline(case, date(2026, 9, 29))
    assert state is not None and (state.day, state.kind) == (date(2026, 10, 13), "acceptance")
    assert intake_deadline({**case, "acceptance_deadline": ""}, date(2026, 9, 29)) is None
