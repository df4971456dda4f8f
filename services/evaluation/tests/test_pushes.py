"""Pushing the ratings to the provincial 好差评 platform on SQLite, against an in-process fake of the interface:
queued with the rating, in batches and in order, backoff while it is down, refusals kept and not retried, an
exclusion re-reported as a new revision, a dropped report re-pushed by the reconciliation, nothing without a URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc
from ywtb.evaluation.config import EvaluationSettings
from ywtb.evaluation.models import Rateable, RatingPush
from ywtb.evaluation.province import Ack, PlatformRefused, PlatformUnavailable, RatingReport
from ywtb.evaluation.pushes import BATCH, RatingPushes, push_workers
from ywtb.evaluation.ratings import RatingAsk, add_rating, rated_case

from .conftest import CITIZEN, DEPT, DEPT_ADMIN, NOW, TENANT_ADMIN, World

DAY = date(2026, 9, 30)  # NOW in Beijing


@dataclass
class FakeProvince:
    """A ProvincialRatingsPlatform in this process: the latest revision of each rating, and switches."""

    held: dict[str, RatingReport] = field(default_factory=dict)
    calls: list[list[RatingReport]] = field(default_factory=list)
    down: bool = False
    refuse: dict[str, str] = field(default_factory=dict)  # rating id → the code its report is refused with
    malformed: set[str] = field(default_factory=set)  # rating ids whose report makes its whole batch a 400
    drop_next: int = 0

    def report(self, batch: Sequence[RatingReport]) -> list[Ack]:
        if self.down:
            raise PlatformUnavailable("POST /v1/reports: answered 503")
        self.calls.append(list(batch))
        if any(report.rating_id in self.malformed for report in batch):
            raise PlatformRefused(400, "BAD_REQUEST", "评价数据格式错误")
        acks = []
        for report in batch:
            if report.rating_id in self.refuse:
                acks.append(Ack(*report.key, False, self.refuse[report.rating_id], "部门编码不存在"))
                continue
            acks.append(Ack(*report.key, True))
            if self.drop_next:
                self.drop_next -= 1
                continue
            held = self.held.get(report.rating_id)
            if held is None or held.revision < report.revision:
                self.held[report.rating_id] = report
        return acks

    def received(self, tenant: str, day: date) -> set[tuple[str, int]]:
        if self.down:
            raise PlatformUnavailable("GET /v1/received: answered 503")
        return {r.key for r in self.held.values() if r.tenant == tenant and local_date(r.rated_at) == day}

    def sent(self) -> list[str]:
        """The rating ids of every report sent, in order."""
        return [report.rating_id for call in self.calls for report in call]


@pytest.fixture
def province() -> FakeProvince:
    return FakeProvince()


@pytest.fixture
def pushes(world: World, province: FakeProvince) -> RatingPushes:
    return RatingPushes(world.db, province, clock=world.clock)


def rate(world: World, case_no: str, level: int = 5) -> str:
    """A completed case rated by its applicant; the rating's id."""
    world.complete(case_no)
    return world.ratings.rate(CITIZEN, RatingAsk(case_no, "completion", level, {"efficiency": level})).id


def queue(world: World) -> list[RatingPush]:
    """Every queued revision, in order."""
    with world.db.transaction() as session:
        rows = list(session.scalars(select(RatingPush).order_by(RatingPush.id)))
        session.expunge_all()
    return rows


def test_a_rating_is_queued_in_its_own_transaction(world: World) -> None:
    rating_id = rate(world, "C-1")
    [push] = queue(world)
    assert (push.rating_id, push.revision, push.tenant, push.status, push.excluded) == (
        rating_id,
        1,
        "510104",
        "pending",
        False,
    )
    world.complete("C-2")
    with pytest.raises(RuntimeError), world.db.transaction() as session:
        rateable = session.get(Rateable, ("C-2", "completion"))
        assert rateable is not None
        add_rating(session, rated_case(session, rateable), world.rectifications, level=5, channel=1, now=NOW)
        raise RuntimeError("the rating's transaction fails")
    assert len(queue(world)) == 1  # neither the rating nor its push


def test_the_province_receives_what_the_rating_says(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    rating_id = rate(world, "C-1", level=4)
    assert pushes.push_round() == 1
    report = province.held[rating_id]
    assert (report.tenant, report.dept, report.item_id, report.item_name) == (
        "510104",
        DEPT,
        "item-1",
        "个体工商户设立登记",
    )
    assert (report.case_no, report.visit_id, report.stage, report.level, report.channel) == (
        "C-1",
        "",
        "completion",
        4,
        1,
    )
    assert report.indicators == {"efficiency": 4} and report.real_name and not report.system_default
    assert report.rated_at == NOW and (report.revision, report.excluded) == (1, False)
    [push] = queue(world)
    assert (push.status, push.sent_at is not None, push.attempts) == ("sent", True, 1)
    assert pushes.push_round() == 0 and len(province.calls) == 1


def test_pushes_go_in_batches_in_their_order(world: World, province: FakeProvince) -> None:
    assert BATCH == 50
    ids = [rate(world, f"C-{n}") for n in range(5)]
    pushes = RatingPushes(world.db, province, clock=world.clock, batch=2)
    assert pushes.push_round() == 5
    assert [len(call) for call in province.calls] == [2, 2, 1]
    assert province.sent() == ids
    assert pushes.counts() == {"pending": 0, "sent": 5, "refused": 0}


def test_while_the_province_is_down_the_batch_waits_with_backoff(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    rating_id = rate(world, "C-1")
    province.down = True
    assert pushes.push_round() == 0
    [push] = queue(world)
    assert (push.status, push.attempts, utc(push.next_at)) == ("pending", 1, NOW + timedelta(seconds=2))
    assert "503" in push.last_error
    world.clock.now += timedelta(seconds=2)
    assert pushes.push_round() == 0
    [push] = queue(world)
    assert (push.attempts, utc(push.next_at)) == (2, world.clock.now + timedelta(seconds=4))  # doubled
    province.down = False
    assert pushes.push_round() == 0 and province.calls == []  # not due yet
    world.clock.now += timedelta(seconds=4)
    assert pushes.push_round() == 1 and province.sent() == [rating_id]
    [push] = queue(world)
    assert (push.status, push.last_error) == ("sent", "")


def test_a_refused_report_keeps_the_provinces_code_and_is_not_retried(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    refused, accepted = rate(world, "C-1"), rate(world, "C-2")
    province.refuse[refused] = "DEPT_INVALID"
    assert pushes.push_round() == 1
    first, second = queue(world)
    assert (first.status, first.refused_code, first.last_error) == (
        "refused",
        "DEPT_INVALID",
        "部门编码不存在",
    )
    assert second.status == "sent"
    world.clock.now += timedelta(days=1)
    assert pushes.push_round() == 0 and province.sent() == [refused, accepted]
    assert pushes.repush_round(DAY) == 0  # the reconciliation leaves it too


def test_a_batch_refused_whole_is_sent_one_by_one_to_find_the_bad_report(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    good, bad, other = rate(world, "C-1"), rate(world, "C-2"), rate(world, "C-3")
    province.malformed.add(bad)
    assert pushes.push_round() == 2
    assert set(province.held) == {good, other}
    assert [(p.rating_id, p.status, p.refused_code) for p in queue(world)][1] == (
        bad,
        "refused",
        "BAD_REQUEST",
    )


def test_an_excluded_rating_is_re_reported_as_its_next_revision(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    rating_id = rate(world, "C-1", level=1)
    pushes.push_round()
    appeal = world.appeals.appeal(DEPT_ADMIN, rating_id, "恶意差评", "窗口录音显示服务规范")
    assert len(queue(world)) == 1  # an appeal alone changes nothing upward
    world.appeals.decide(TENANT_ADMIN, appeal.id, True, "经核查录音，评价与事实不符")
    first, second = queue(world)
    assert (second.rating_id, second.revision, second.status, second.excluded) == (
        rating_id,
        2,
        "pending",
        True,
    )
    assert second.excluded_reason == "经核查录音，评价与事实不符" and not first.excluded
    assert pushes.push_round() == 1
    held = province.held[rating_id]
    assert (held.revision, held.excluded, held.excluded_reason) == (2, True, "经核查录音，评价与事实不符")
    assert held.level == 1  # kept, never deleted


def test_a_rejected_appeal_reports_nothing_new(world: World, pushes: RatingPushes) -> None:
    rating_id = rate(world, "C-1", level=1)
    appeal = world.appeals.appeal(DEPT_ADMIN, rating_id, "恶意差评", "窗口录音显示服务规范")
    world.appeals.decide(TENANT_ADMIN, appeal.id, False, "证据不足，维持评价")
    assert [p.revision for p in queue(world)] == [1]


def test_a_report_the_province_lost_is_re_pushed_by_the_reconciliation(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    lost, kept = rate(world, "C-1"), rate(world, "C-2")
    province.drop_next = 1
    assert pushes.push_round() == 2  # both acked
    assert set(province.held) == {kept}
    assert pushes.repush_round(DAY - timedelta(days=1)) == 0  # another day
    assert pushes.repush_round(DAY) == 1
    requeued = next(p for p in queue(world) if p.rating_id == lost)
    assert (requeued.status, requeued.revision, requeued.attempts) == ("pending", 1, 0)
    assert "reconciliation" in requeued.last_error
    assert pushes.push_round() == 1 and set(province.held) == {lost, kept}
    assert pushes.repush_round(DAY) == 0


def test_the_reconciliation_re_pushes_an_exclusion_the_province_lost(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    rating_id = rate(world, "C-1", level=1)
    pushes.push_round()
    appeal = world.appeals.appeal(DEPT_ADMIN, rating_id, "恶意差评", "窗口录音显示服务规范")
    world.clock.now += timedelta(days=2)  # decided two days after the rating
    world.appeals.decide(TENANT_ADMIN, appeal.id, True, "经核查录音，评价与事实不符")
    province.drop_next = 1
    pushes.push_round()
    assert province.held[rating_id].revision == 1
    world.clock.now += timedelta(
        days=1
    )  # the next morning: yesterday's pushes reconciled by their rating's day
    assert pushes.daily_round() == 1
    assert pushes.daily_round() == 0  # once a day
    pushes.push_round()
    assert province.held[rating_id].revision == 2


def test_the_daily_round_reconciles_yesterday(
    world: World, pushes: RatingPushes, province: FakeProvince
) -> None:
    rate(world, "C-1")
    province.drop_next = 1
    pushes.push_round()
    assert pushes.daily_round() == 0  # today's ratings wait for tomorrow
    world.clock.now += timedelta(days=1)
    assert pushes.daily_round() == 1
    rate(world, "C-2")
    assert pushes.push_round() == 2
    province.down = True
    world.clock.now += timedelta(days=1)
    with pytest.raises(PlatformUnavailable):
        pushes.daily_round()  # the periodic worker logs it and tries again at its next round
    province.down = False
    assert pushes.daily_round() == 0 and len(province.held) == 2


def test_without_a_url_nothing_is_pushed_and_the_queue_keeps_every_rating(
    world: World, province: FakeProvince
) -> None:
    # Only the province's settings matter here (the service's other secrets are not read).
    settings = EvaluationSettings.model_construct(province_key=SecretStr("a-test-province-key-0123456789"))
    assert settings.province_url == "" and push_workers(settings, world.db) == {}
    configured = settings.model_copy(update={"province_url": "http://127.0.0.1:9"})
    assert set(push_workers(configured, world.db)) == {"pushes", "repushes"}
    ids = [rate(world, "C-1"), rate(world, "C-2")]
    assert [p.status for p in queue(world)] == ["pending", "pending"]
    world.clock.now += timedelta(days=30)  # configured a month later: everything missed goes out
    assert RatingPushes(world.db, province, clock=world.clock).push_round() == 2
    assert province.sent() == ids
