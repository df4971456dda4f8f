"""Unit tests of the working-day calendar (real 2025/2026 schedules, overrides, clock stops)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ywtb.common.calendar import (
    CalendarNotMaintained,
    DayOverride,
    DeadlineColour,
    WorkCalendar,
    deadline_light,
    for_tenant,
    load_override_file,
    parse_override_csv,
    tenant_chain,
)
from ywtb.common.errors import ConfigError, FailedPrecondition

SH = ZoneInfo("Asia/Shanghai")
END = time.max


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """An aware Shanghai instant."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> datetime:
    """23:59:59.999999 Shanghai of a day."""
    return datetime.combine(date(y, m, d), END, tzinfo=SH)


# Test data only, NOT the official 2027 schedule: a made-up complete year for coverage tests.
HYPOTHETICAL_2027 = [
    DayOverride(date(2027, 1, 1), False, "元旦(测试数据)", full_year=True),
    DayOverride(date(2027, 2, 10), False, "测试假日", full_year=True),
    DayOverride(date(2027, 2, 13), True, "测试调休", full_year=True),
]

cal = WorkCalendar()


# --- real national schedules from chinesecalendar -------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2026, 10, d) for d in range(1, 8)] + [date(2026, 9, d) for d in (25, 26, 27)]
)
def test_2026_national_day_and_mid_autumn_are_rest_days(day):
    assert cal.is_workday(day) is False


@pytest.mark.parametrize("day", [date(2026, 9, 20), date(2026, 10, 10)])
def test_2026_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert cal.is_workday(day) is True


def test_2026_ordinary_days():
    assert cal.is_workday(date(2026, 10, 8)) is True
    assert cal.is_workday(date(2026, 10, 11)) is False  # plain Sunday
    assert cal.is_workday(date(2026, 9, 19)) is False  # plain Saturday


@pytest.mark.parametrize("day", [date(2025, 1, 28) + timedelta(days=i) for i in range(8)])
def test_2025_spring_festival_rest_days(day):
    assert date(2025, 1, 28) <= day <= date(2025, 2, 4)
    assert cal.is_workday(day) is False


@pytest.mark.parametrize("day", [date(2025, 1, 26), date(2025, 2, 8)])
def test_2025_spring_festival_make_up_days(day):
    assert day.weekday() >= 5
    assert cal.is_workday(day) is True


# --- counting ----------------------------------------------------------------------------


def test_20_workdays_across_2026_national_day():
    # From Thu 2026-09-24 (not counted): 09-28,29,30 (3), 10-08,09, Sat 10-10 (6),
    # 10-12..16 (11), 10-19..23 (16), 10-26,27,28,29 (20).
    assert cal.add_workdays(date(2026, 9, 24), 20) == date(2026, 10, 29)
    assert cal.deadline(at(2026, 9, 24), 20) == end_of(2026, 10, 29)


def test_start_day_not_counted_and_make_up_sunday_counts():
    assert cal.add_workdays(date(2026, 9, 28), 1) == date(2026, 9, 29)
    # Fri 2025-01-24: Sun 01-26 is a make-up working day, then Mon 01-27, then after the festival 02-05.
    assert cal.add_workdays(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert cal.add_workdays(date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_deadline_that_would_fall_on_a_holiday_moves_to_next_working_day():
    # Two days after Tue 2026-09-29 is 10-01 (National Day): the limit ends on Thu 10-08.
    assert cal.add_workdays(date(2026, 9, 29), 2) == date(2026, 10, 8)
    assert cal.deadline(at(2026, 9, 29, 16), 2) == end_of(2026, 10, 8)


def test_zero_days_is_same_working_day_or_the_next():
    assert cal.add_workdays(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert cal.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert cal.deadline(at(2026, 10, 3), 0) == end_of(2026, 10, 8)


def test_negative_days_rejected():
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 9, 30), -1)


def test_start_instant_converted_to_shanghai_before_taking_the_date():
    # 2026-09-29 17:00 UTC is 09-30 01:00 in Shanghai: one working day later is 10-08, not 09-30.
    start = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert cal.deadline(start, 1) == end_of(2026, 10, 8)
    assert cal.deadline(start, 1).tzinfo is SH


# --- clock stops (特别程序) -------------------------------------------------------------------


def test_clock_stop_extends_deadline_by_wholly_stopped_working_days():
    stops = [(at(2026, 10, 12, 9), at(2026, 10, 14, 17))]  # Mon-Wed, whole office hours
    # 10-29 plus three working days: 10-30, 11-02, 11-03.
    assert cal.deadline(at(2026, 9, 24), 20, stops) == end_of(2026, 11, 3)


def test_partly_stopped_days_still_count_for_the_applicant():
    stops = [(at(2026, 10, 12, 10), at(2026, 10, 14, 12))]  # only Tue 10-13 wholly stopped
    assert cal.deadline(at(2026, 9, 24), 20, stops) == end_of(2026, 10, 30)


def test_stop_over_holidays_only_adds_the_working_days_it_covers():
    # 09-30 afternoon to 10-09 evening: 10-08 and 10-09 wholly stopped, 09-30 only partly, holidays irrelevant.
    stops = [(at(2026, 9, 30, 12), at(2026, 10, 9, 18))]
    assert cal.deadline(at(2026, 9, 24), 20, stops) == end_of(2026, 11, 2)
    # 09-28, 09-29, 09-30 (partly stopped), Sat 10-10, 10-12 count; 10-08 and 10-09 do not.
    assert cal.workdays_between(at(2026, 9, 24), at(2026, 10, 12), stops) == 5


def test_overlapping_stops_merge():
    stops = [(at(2026, 10, 12, 9), at(2026, 10, 13, 12)), (at(2026, 10, 13, 11), at(2026, 10, 13, 17))]
    assert cal.deadline(at(2026, 9, 24), 20, stops) == end_of(2026, 11, 2)


def test_open_stop_has_no_deadline_but_freezes_elapsed_days():
    with pytest.raises(ValueError):
        cal.deadline(at(2026, 9, 24), 20, [(at(2026, 10, 12, 9), None)])
    stops = [(at(2026, 10, 12, 9), None)]
    assert cal.workdays_between(at(2026, 9, 24), at(2026, 10, 20), stops) == 6  # 09-28..30, 10-08..10


@pytest.mark.parametrize(
    "stops",
    [[], [(at(2026, 10, 12, 9), at(2026, 10, 14, 17))], [(at(2026, 9, 30, 12), at(2026, 10, 9, 18))]],
)
def test_workdays_between_inverts_deadline(stops):
    start = at(2026, 9, 22, 15)
    for n in range(1, 31):
        assert cal.workdays_between(start, cal.deadline(start, n, stops), stops) == n


def test_workdays_between_backwards_is_negative():
    assert cal.workdays_between(at(2026, 10, 12), at(2026, 9, 30)) == -4  # 10-08, 09, 10, 12


def test_remaining_workdays_for_warnings():
    deadline = cal.deadline(at(2026, 9, 24), 20)  # end of Thu 10-29
    assert cal.remaining_workdays(at(2026, 10, 27), deadline) == 2
    assert cal.remaining_workdays(at(2026, 10, 29, 23), deadline) == 0
    assert cal.remaining_workdays(at(2026, 10, 30), deadline) == -1
    assert cal.remaining_workdays(at(2026, 10, 31), deadline) == -2  # Saturday belongs to Mon 11-02
    assert cal.remaining_workdays(at(2026, 11, 3), deadline) == -3


# --- timezone-aware only -----------------------------------------------------------------


def test_naive_datetimes_rejected():
    naive = datetime(2026, 9, 24, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        cal.deadline(naive, 5)
    with pytest.raises(ValueError, match="naive"):
        cal.workdays_between(at(2026, 9, 24), naive)
    with pytest.raises(ValueError, match="naive"):
        cal.remaining_workdays(naive, at(2026, 10, 1))
    with pytest.raises(ValueError, match="naive"):
        cal.is_workday(naive)
    with pytest.raises(ValueError, match="aware"):
        cal.deadline(at(2026, 9, 24), 5, [(naive, at(2026, 9, 30))])
    with pytest.raises(ValueError, match="aware"):
        cal.deadline(at(2026, 9, 24), 5, [(at(2026, 9, 25), datetime(2026, 9, 30, 12))])


# --- overrides and coverage ----------------------------------------------------------------


def test_overrides_win_over_the_package():
    local = WorkCalendar(
        [DayOverride(date(2026, 10, 10), False, "本地调整"), DayOverride(date(2026, 10, 3), True, "x")]
    )
    assert local.is_workday(date(2026, 10, 10)) is False
    assert local.is_workday(date(2026, 10, 3)) is True


def test_year_after_package_served_by_declared_override_year():
    c27 = WorkCalendar(HYPOTHETICAL_2027)
    assert 2027 in c27.covered_years() and 2026 in c27.covered_years() and 2028 not in c27.covered_years()
    assert c27.is_workday(date(2027, 1, 1)) is False
    assert c27.is_workday(date(2027, 1, 2)) is False  # unlisted Saturday: weekend rule
    assert c27.is_workday(date(2027, 1, 4)) is True  # unlisted Monday
    assert c27.is_workday(date(2027, 2, 13)) is True  # listed make-up Saturday
    # Wed 2026-12-30 + 2: Thu 12-31, then 2027-01-01 rest and a weekend: Mon 2027-01-04.
    assert c27.add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_uncovered_year_raises_failed_precondition():
    with pytest.raises(CalendarNotMaintained) as caught:
        cal.is_workday(date(2027, 3, 1))
    assert isinstance(caught.value, FailedPrecondition)
    assert caught.value.year == 2027 and "2027年" in caught.value.message and "管理员" in caught.value.message
    with pytest.raises(CalendarNotMaintained) as caught:
        WorkCalendar(HYPOTHETICAL_2027).add_workdays(date(2027, 12, 29), 5)
    assert caught.value.year == 2028
    with pytest.raises(CalendarNotMaintained):
        cal.add_workdays(date(2026, 12, 30), 2)
    assert 2028 not in WorkCalendar(HYPOTHETICAL_2027).covered_years()


def test_rows_without_full_year_do_not_cover_a_year():
    partial = WorkCalendar([DayOverride(date(2027, 1, 1), False, "元旦")])
    assert 2027 not in partial.covered_years()
    with pytest.raises(CalendarNotMaintained):
        partial.is_workday(date(2027, 1, 1))


def test_tenant_chain():
    assert tenant_chain("510104") == (None, "510000", "510100", "510104")
    assert tenant_chain("510100") == (None, "510000", "510100")
    assert tenant_chain("110000") == (None, "110000")
    assert tenant_chain(None) == (None,)
    with pytest.raises(ValueError):
        tenant_chain("5101")


TENANT_ROWS = [
    DayOverride(date(2026, 6, 10), False, "成都市地方假日", tenant="510100"),
    DayOverride(date(2026, 6, 11), False, "四川省地方假日", tenant="510000"),
    DayOverride(date(2026, 6, 12), False, "市定休息", tenant="510100"),
    DayOverride(date(2026, 6, 12), True, "锦江区照常上班", tenant="510104"),
    DayOverride(date(2026, 6, 15), False, "绵阳市地方假日", tenant="510700"),
]


def test_county_inherits_city_and_province_and_its_own_rows_win():
    county = WorkCalendar(for_tenant(TENANT_ROWS, "510104"))
    assert county.is_workday(date(2026, 6, 10)) is False  # city row inherited
    assert county.is_workday(date(2026, 6, 11)) is False  # province row inherited
    assert county.is_workday(date(2026, 6, 12)) is True  # county row wins over city row
    assert county.is_workday(date(2026, 6, 15)) is True  # another city's row not applied
    other = WorkCalendar(for_tenant(TENANT_ROWS, "510704"))
    assert other.is_workday(date(2026, 6, 10)) is True
    assert other.is_workday(date(2026, 6, 15)) is False
    assert other.is_workday(date(2026, 6, 11)) is False


def test_calendar_rejects_unrelated_tenants_and_conflicts():
    with pytest.raises(ValueError, match="unrelated"):
        WorkCalendar(TENANT_ROWS)
    with pytest.raises(ValueError, match="conflicting"):
        WorkCalendar([DayOverride(date(2026, 6, 10), False, "a"), DayOverride(date(2026, 6, 10), True, "a")])


def test_full_year_flag_survives_a_local_row_on_the_same_day():
    rows = [
        DayOverride(date(2027, 1, 1), False, "元旦(测试数据)", full_year=True),
        DayOverride(date(2027, 1, 1), False, "县里也休", tenant="510104"),
    ]
    resolved = for_tenant(rows, "510104")
    assert [row.tenant for row in resolved] == ["510104"]
    assert WorkCalendar(resolved).is_workday(date(2027, 1, 4)) is True


# --- shipped file ----------------------------------------------------------------------------


def test_shipped_override_file_is_empty_apart_from_header():
    assert load_override_file() == []


def test_override_csv_format(tmp_path):
    text = (
        "# comment\n"
        "date,is_workday,name,tenant,full_year\n"
        "2027-01-01,0,元旦(测试),,1\n"
        "2026-06-10,0,成都市地方假日,510100,\n"
    )
    path = tmp_path / "o.csv"
    path.write_text(text, encoding="utf-8")
    rows = load_override_file(path)
    assert rows == [
        DayOverride(date(2027, 1, 1), False, "元旦(测试)", None, True),
        DayOverride(date(2026, 6, 10), False, "成都市地方假日", "510100", False),
    ]
    with pytest.raises(ConfigError, match="第3行"):
        parse_override_csv("# c\ndate,is_workday,name,tenant\n2027-01-01,maybe,x,\n")
    with pytest.raises(ConfigError):
        parse_override_csv("day,work\n")


# --- the factory ------------------------------------------------------------------------------


def test_calendar_factory_loads_the_override_file(tmp_path, monkeypatch):
    from ywtb.common.calendar import factory

    path = tmp_path / "overrides.csv"
    path.write_text(
        "date,is_workday,name,tenant,full_year\n"
        + "".join(f"{row.day},{int(row.is_workday)},{row.name},,1\n" for row in HYPOTHETICAL_2027),
        encoding="utf-8",
    )
    assert factory.load_calendar(path).is_workday(date(2027, 1, 1)) is False
    with pytest.raises(CalendarNotMaintained):
        factory.load_calendar().is_workday(date(2027, 1, 1))  # the shipped file has no 2027 yet
    factory.national_calendar.cache_clear()
    shipped = factory.load_override_file
    monkeypatch.setattr(factory, "load_override_file", lambda p=None: shipped(p or path))
    try:
        calendar = factory.national_calendar()
        assert calendar.is_workday(date(2027, 1, 1)) is False
        assert factory.national_calendar() is calendar
    finally:
        factory.national_calendar.cache_clear()


def test_calendar_factory_refuses_tenant_rows_it_would_apply_to_every_tenant(tmp_path):
    from ywtb.common.calendar import factory

    path = tmp_path / "overrides.csv"
    path.write_text(
        "date,is_workday,name,tenant,full_year\n2026-06-10,0,成都市地方假日,510100,\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="510100"):
        factory.load_calendar(path)


# --- deadline lights --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "colour", "remaining"),
    [
        (at(2026, 9, 29, 10), DeadlineColour.GREEN, 5),  # 30 Sep, 8, 9, Sat 10 (调休上班), 12 Oct
        (at(2026, 10, 8, 10), DeadlineColour.GREEN, 3),
        (at(2026, 10, 9, 10), DeadlineColour.YELLOW, 2),
        (at(2026, 10, 10, 10), DeadlineColour.YELLOW, 1),
        (at(2026, 10, 12, 10), DeadlineColour.YELLOW, 0),  # due today, not overdue
        (at(2026, 10, 13, 9), DeadlineColour.RED, -1),
    ],
)
def test_one_deadline_light_red_only_when_overdue_yellow_from_two_working_days(now, colour, remaining):
    light = deadline_light(now, end_of(2026, 10, 12))
    assert (light.colour, light.remaining) == (colour, remaining)


def test_deadline_light_threshold_and_an_instant_just_past_the_deadline():
    assert (
        deadline_light(at(2026, 10, 9, 10), end_of(2026, 10, 12), warn_workdays=1).colour
        is DeadlineColour.GREEN
    )
    deadline = at(2026, 10, 12, 17)
    assert deadline_light(at(2026, 10, 12, 17, 1), deadline).colour is DeadlineColour.RED
    with pytest.raises(ValueError):
        deadline_light(at(2026, 10, 8, 10), deadline, warn_workdays=-1)


def test_lookup_counting_agrees_with_the_day_by_day_walk() -> None:
    """The cumulative-count fast path gives what walking day by day gives, errors included."""
    import random

    from ywtb.common.calendar import CalendarNotMaintained
    from ywtb.common.calendar.stops import StopSet

    calendar = WorkCalendar()

    class NoStops(StopSet):
        """No stop, but truthy: forces the walk."""

        def __init__(self) -> None:
            super().__init__((), calendar.tz, calendar.office_hours)

        def __bool__(self) -> bool:
            return True

    def outcome(fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except CalendarNotMaintained as exc:
            return ("not maintained", exc.year)

    fast, walk = StopSet((), calendar.tz, calendar.office_hours), NoStops()
    rng = random.Random(2026)
    for _ in range(1000):
        first = date(2004, 1, 1) + timedelta(days=rng.randrange(8800))
        last = first + timedelta(days=rng.randrange(400))
        n = rng.randrange(1, 120)
        assert outcome(calendar._count, first, last, fast) == outcome(calendar._count, first, last, walk)
        assert outcome(calendar._last_day, first, n, fast) == outcome(calendar._last_day, first, n, walk)
