"""Window visits on SQLite (一次一评): recorded by the clerk, rated once by the token (anonymous or real-name) with
the offline sub-indicators, then one follow-up; the code lapses; the staff member's indicators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ywtb.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.evaluation.indicators import Scope
from ywtb.evaluation.models import CALLED_BACK, CaseStaff
from ywtb.evaluation.ratings import RatingAsk
from ywtb.evaluation.visits import VALID_DAYS, VisitAsk

from .conftest import CITIZEN, CLERK, DEPT, World


def _ask(level: int, channel: int = 4, **given: object) -> RatingAsk:
    return RatingAsk(case_no="", stage="visit", level=level, channel=channel, **given)  # type: ignore[arg-type]


def test_a_visit_is_rated_once_by_its_token_then_followed_up(world: World) -> None:
    visit, token = world.visits.open(CLERK, VisitAsk(window="3号窗口", item_id="item-1"))
    assert (visit.window, visit.staff, visit.item_name, visit.dept) == (
        "3号窗口",
        "clerk-1",
        "个体工商户设立登记",
        DEPT,
    )
    assert world.visits.by_token(token).id == visit.id
    rating = world.visits.rate(None, token, _ask(5, indicators={"attitude": 5, "service_level": 4}))
    assert (rating.stage, rating.visit_id, rating.staff, rating.channel) == ("visit", visit.id, "clerk-1", 4)
    assert (rating.rater, rating.real_name) == ("", False)  # anonymous at the tablet
    with pytest.raises(AlreadyExists):
        world.visits.rate(None, token, _ask(4))
    follow_up = world.visits.rate(None, token, _ask(3, follow_up=True, comment="补充"))
    assert follow_up.follow_up
    with pytest.raises(AlreadyExists):
        world.visits.rate(None, token, _ask(3, follow_up=True))
    assert world.visits.by_token(token).status == "rated"


def test_only_window_staff_record_visits_and_a_wrong_token_finds_nothing(world: World) -> None:
    with pytest.raises(PermissionDenied):
        world.visits.open(CITIZEN, VisitAsk(window="3号窗口"))
    with pytest.raises(InvalidArgument):
        world.visits.open(CLERK, VisitAsk(window=" "))
    with pytest.raises(NotFound) as unknown:
        world.visits.rate(None, "no-such-token", _ask(5))
    assert unknown.value.code == "EVALUATION_VISIT_NOT_FOUND"


def test_window_ratings_take_the_offline_sub_indicators_and_hall_channels(world: World) -> None:
    _, token = world.visits.open(CLERK, VisitAsk(window="3号窗口"))
    with pytest.raises(InvalidArgument) as online:
        world.visits.rate(None, token, _ask(5, indicators={"usability": 5}))
    assert "服务态度" in online.value.message
    with pytest.raises(InvalidArgument) as channel:
        world.visits.rate(None, token, _ask(5, channel=1))
    assert "channel" in channel.value.fields


def test_the_code_lapses_after_its_days(world: World) -> None:
    _, token = world.visits.open(CLERK, VisitAsk(window="3号窗口"))
    world.clock.now += timedelta(days=VALID_DAYS, minutes=1)
    with pytest.raises(FailedPrecondition) as lapsed:
        world.visits.rate(None, token, _ask(5, channel=3))
    assert lapsed.value.code == "EVALUATION_VISIT_EXPIRED"


def test_a_logged_in_visitor_rates_under_their_name_and_a_bad_review_opens_a_rectification(
    world: World,
) -> None:
    _, token = world.visits.open(CLERK, VisitAsk(window="3号窗口"))
    rating = world.visits.rate(CITIZEN, token, _ask(2, channel=3, comment="等太久"))
    assert (rating.rater, rating.real_name) == ("citizen-1", True)
    [rectification] = world.rectifications.of_department(CLERK, True)
    assert rectification.rating_id == rating.id and rectification.status == "to_call"


def test_an_anonymous_bad_review_cannot_be_called_back_so_it_goes_to_rectifying(world: World) -> None:
    _, token = world.visits.open(CLERK, VisitAsk(window="3号窗口"))
    world.visits.rate(None, token, _ask(1))
    [rectification] = world.rectifications.of_department(CLERK, True)
    assert (rectification.status, rectification.visit_id != "") == (CALLED_BACK, True)
    world.clock.now += timedelta(days=3)
    assert world.rectifications.sweep() == 0  # no callback was due


def test_staff_indicators_count_their_visits_and_the_cases_they_accepted(world: World) -> None:
    with world.db.transaction() as session:
        session.add(CaseStaff(case_no="C-1", tenant="510104", staff="clerk-1"))
    world.complete("C-1")
    world.complete("C-2")  # accepted by nobody known
    world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5))
    world.ratings.rate(CITIZEN, RatingAsk("C-2", "completion", 4))
    _, token = world.visits.open(CLERK, VisitAsk(window="3号窗口", visitor_name="王五"))
    visit_rating = world.visits.rate(None, token, _ask(2))
    assert visit_rating.real_name and visit_rating.rater_name == "王五"  # verified at the window
    world.visits.open(CLERK, VisitAsk(window="3号窗口"))  # served, not rated
    clerk = world.indicators.of(Scope(tenant="510104", staff="clerk-1"))
    assert (clerk.rateable, clerk.rated, clerk.ratings, clerk.good, clerk.bad) == (3, 2, 2, 1, 1)
    assert clerk.consultations_due == 0
    whole = world.indicators.of(Scope(tenant="510104"))
    assert (whole.rateable, whole.ratings) == (4, 3)
    [(staff, figures)] = world.indicators.by_staff(Scope(tenant="510104", dept=DEPT))
    assert (staff, figures.ratings) == ("clerk-1", 2)
