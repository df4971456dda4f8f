"""Ratings on SQLite: one per case and stage by its applicant, one follow-up, a default rating after the
tenant's days, the rater masked to the department's clerks and hidden from other departments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ywtb.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ywtb.evaluation.models import outbox
from ywtb.evaluation.ratings import RatingAsk
from ywtb.evaluation.tenant_settings import Rules

from .conftest import CITIZEN, CITY_SUPERVISOR, CLERK, DEPT_ADMIN, OTHER_CLERK, STRANGER, TENANT_ADMIN, World


def _events(world: World) -> list[str]:
    with world.db.transaction() as session:
        return [
            t.rsplit(".", 1)[-1] for (t,) in session.execute(select(outbox.c.ce_type).order_by(outbox.c.seq))
        ]


def test_one_rating_per_case_then_one_follow_up(world: World) -> None:
    world.complete()
    with pytest.raises(FailedPrecondition):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5, follow_up=True))  # nothing to follow up
    rating = world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5, {"efficiency": 5}, "很快"))
    assert (rating.level, rating.rater_name, rating.real_name, rating.channel) == (5, "张三", True, 1)
    with pytest.raises(AlreadyExists) as again:
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 4))
    assert again.value.code == "EVALUATION_ALREADY_RATED"
    follow_up = world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 4, comment="补充", follow_up=True))
    assert follow_up.follow_up
    with pytest.raises(AlreadyExists):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 3, follow_up=True))
    assert _events(world) == ["RatingSubmitted", "RatingSubmitted"]


def test_only_the_applicant_rates_a_case_that_reached_the_stage(world: World) -> None:
    with pytest.raises(NotFound):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5))  # not completed yet
    world.complete()
    with pytest.raises(NotFound):
        world.ratings.rate(STRANGER, RatingAsk("C-1", "completion", 1))
    with pytest.raises(InvalidArgument) as wrong:
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 6, {"speed": 9}, channel=7))
    assert {"level", "channel"} <= set(wrong.value.fields)


def test_a_stage_left_unrated_is_rated_by_default_after_the_tenants_days(world: World) -> None:
    world.rules.update(TENANT_ADMIN, Rules("", default_after_days=3, default_level=5))
    world.complete()
    assert world.rateables.default_round() == 0
    world.clock.now += timedelta(days=3, seconds=1)
    assert world.rateables.default_round() == 1
    (shown,), stages = world.reads.of_case(CITIZEN, "C-1")
    assert (shown.rating.channel, shown.rating.level, shown.rating.system_default) == (7, 5, True)
    assert stages[0].status == "defaulted"
    with pytest.raises(AlreadyExists):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 2))
    world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 2, follow_up=True))  # a follow-up still may


def test_stages_before_completion_only_where_the_tenant_rates_them(world: World) -> None:
    with world.db.transaction() as session:
        world.rateables.reach(session, ("C-1", "510104", CLERK.dept, "item-1"), "acceptance", world.clock.now)
    world.rules.update(TENANT_ADMIN, Rules("", rate_at_acceptance=True))
    with world.db.transaction() as session:
        world.rateables.reach(session, ("C-2", "510104", CLERK.dept, "item-1"), "acceptance", world.clock.now)
    world.rateables.holder_round()
    with pytest.raises(NotFound):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "acceptance", 5))
    assert world.ratings.rate(CITIZEN, RatingAsk("C-2", "acceptance", 5)).stage == "acceptance"


def test_the_rater_is_masked_to_clerks_shown_to_the_departments_admin_hidden_from_other_departments(
    world: World,
) -> None:
    world.complete()
    world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 1, comment="态度差"))
    (clerk_view,), _ = world.reads.of_case(CLERK, "C-1")
    assert (clerk_view.rater_name, clerk_view.rater) == ("张*", "")
    (admin_view,), _ = world.reads.of_case(DEPT_ADMIN, "C-1")
    assert (admin_view.rater_name, admin_view.rater) == ("张三", "citizen-1")
    with pytest.raises(NotFound):
        world.reads.of_case(OTHER_CLERK, "C-1")
    assert world.reads.of_department(OTHER_CLERK) == []
    assert [s.rater_name for s in world.reads.of_department(CLERK, bad_only=True)] == ["张*"]
    assert [s.rater_name for s in world.reads.of_department(CITY_SUPERVISOR)] == ["张三"]  # every department


def test_a_holder_unread_while_intake_is_down_is_read_later(world: World) -> None:
    world.facts.down = True
    world.complete()
    with pytest.raises(NotFound):
        world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5))
    world.facts.down = False
    world.clock.now += timedelta(minutes=5)
    assert world.rateables.holder_round() == 1
    assert world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 5)).level == 5
