"""Bad reviews on SQLite: a rectification with its callback and rectification due in working days across
国庆节, the steps in order, overdue steps raised once, the rater's word; an appeal that excludes the rating
from the indicators; the tenant's settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.evaluation.indicators import Scope
from ywtb.evaluation.models import outbox
from ywtb.evaluation.ratings import RatingAsk
from ywtb.evaluation.tenant_settings import Rules

from .conftest import CITIZEN, CITY_SUPERVISOR, CLERK, DEPT_ADMIN, OTHER_CLERK, STRANGER, TENANT_ADMIN, World


def _bad(world: World):  # type: ignore[no-untyped-def]
    world.complete()
    rating = world.ratings.rate(CITIZEN, RatingAsk("C-1", "completion", 1, comment="窗口态度差"))
    (open_one,) = world.rectifications.of_department(CLERK, open_only=True)
    return rating, open_one


def _events(world: World, kind: str) -> int:
    with world.db.transaction() as session:
        return len(session.execute(select(outbox.c.seq).where(outbox.c.ce_type.endswith(kind))).all())


def test_a_bad_review_is_called_back_rectified_and_confirmed_by_the_rater(world: World) -> None:
    rating, rectification = _bad(world)
    assert rectification.rating_id == rating.id and rectification.status == "to_call"
    assert local_date(utc(rectification.callback_due)).isoformat() == "2026-10-08"  # 1 working day after 国庆
    assert local_date(utc(rectification.rectify_due)).isoformat() == "2026-10-27"  # 15 working days
    assert _events(world, "BadReviewOpened") == 1
    with pytest.raises(FailedPrecondition):
        world.rectifications.rectify(CLERK, rectification.id, "已加强窗口培训")  # the callback first
    with pytest.raises(NotFound):
        world.rectifications.call_back(OTHER_CLERK, rectification.id, "已回访")
    with pytest.raises(InvalidArgument):
        world.rectifications.call_back(CLERK, rectification.id, " ")
    world.rectifications.call_back(CLERK, rectification.id, "已电话回访，申请人反映等候时间长")
    world.rectifications.rectify(CLERK, rectification.id, "增开窗口，推行预约办理")
    with pytest.raises(NotFound):
        world.rectifications.confirm(STRANGER, rectification.id, True, "")
    done = world.rectifications.confirm(CITIZEN, rectification.id, True, "满意")
    assert (done.status, done.rater_verdict) == ("confirmed", "satisfied")
    assert _events(world, "RectificationChanged") == 3
    figures = world.indicators.of(Scope("510104"))
    assert (figures.bad, figures.rectified, figures.rectification_rate) == (1, 1, 100.0)


def test_overdue_steps_are_raised_once_each(world: World) -> None:
    _bad(world)
    assert world.rectifications.sweep() == 0
    world.clock.now = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)  # past the end of 10-08 in Beijing
    assert world.rectifications.sweep() == 1
    assert world.rectifications.sweep() == 0
    world.clock.now += timedelta(days=30)
    assert world.rectifications.sweep() == 1
    assert _events(world, "RectificationOverdue") == 2
    (late,) = world.rectifications.of_department(DEPT_ADMIN, open_only=True)
    assert late.callback_overdue and late.rectify_overdue


def test_an_approved_appeal_excludes_the_rating_and_withdraws_its_rectification(world: World) -> None:
    rating, rectification = _bad(world)
    with pytest.raises(PermissionDenied):
        world.appeals.appeal(CLERK, rating.id, "恶意差评", "窗口录音显示服务规范")
    appeal = world.appeals.appeal(DEPT_ADMIN, rating.id, "恶意差评", "窗口录音显示服务规范")
    with pytest.raises(FailedPrecondition):
        world.appeals.appeal(DEPT_ADMIN, rating.id, "再次申诉", "同上")
    with pytest.raises(PermissionDenied):
        world.appeals.decide(DEPT_ADMIN, appeal.id, True, "同意")
    before = world.indicators.of(Scope("510104"))
    decided = world.appeals.decide(TENANT_ADMIN, appeal.id, True, "经核查录音，评价与事实不符")
    assert decided.status == "approved"
    (shown,), _ = world.reads.of_case(CITY_SUPERVISOR, "C-1")
    assert shown.rating.excluded and shown.rating.rater_name == "张三"  # kept, never deleted
    assert shown.rectification is not None and shown.rectification.status == "withdrawn"
    after = world.indicators.of(Scope("510104"))
    assert (before.ratings, before.bad, after.ratings, after.bad) == (1, 1, 0, 0)
    assert _events(world, "AppealDecided") == 1


def test_the_indicators_of_a_department(world: World) -> None:
    for n, level in enumerate((5, 4, 3, 1)):
        world.complete(f"C-{n}")
        world.ratings.rate(CITIZEN, RatingAsk(f"C-{n}", "completion", level))
    world.complete("C-9")  # not rated
    figures = world.indicators.of(Scope("510104", dept=CLERK.dept))
    assert (figures.rateable, figures.rated, figures.active_rate) == (5, 4, 80.0)
    assert (figures.good, figures.good_rate, figures.bad) == (2, 50.0, 1)
    assert figures.satisfaction == 65.0


def test_settings_are_the_tenant_admins_and_checked(world: World) -> None:
    assert world.rules.get(CLERK).rectify_workdays == 15
    with pytest.raises(PermissionDenied):
        world.rules.update(DEPT_ADMIN, Rules("", rectify_workdays=5))
    with pytest.raises(InvalidArgument) as wrong:
        world.rules.update(TENANT_ADMIN, Rules("", default_level=1, rectify_workdays=0))
    assert set(wrong.value.fields) == {"default_level", "rectify_workdays"}
    assert world.rules.update(TENANT_ADMIN, Rules("", rectify_workdays=5)).rectify_workdays == 5
    assert world.rules.get(CITY_SUPERVISOR, "510104").rectify_workdays == 5
