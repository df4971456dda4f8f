"""Consultations and complaints on SQLite: routed to the department with a deadline in working days, a
consultation answered after 6 working days across 国庆节 counted as late and raised overdue once, replies
published only with consent, a complaint escalated to the tenant admin."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.evaluation.indicators import Scope
from ywtb.evaluation.inquiries import Question
from ywtb.evaluation.models import outbox
from ywtb.evaluation.tenant_settings import Rules

from .conftest import CITIZEN, CLERK, OTHER_CLERK, STRANGER, TENANT_ADMIN, World

ASKED = Question(
    "consultation", "个体户登记要带什么", "请问办理个体工商户设立登记需要带哪些材料？", item_id="item-1"
)


def _events(world: World, kind: str) -> int:
    with world.db.transaction() as session:
        return len(session.execute(select(outbox.c.seq).where(outbox.c.ce_type.endswith(kind))).all())


def test_a_consultation_answered_after_six_working_days_across_a_holiday_is_late(world: World) -> None:
    inquiry = world.inquiries.ask(CITIZEN, ASKED)
    assert (inquiry.dept, inquiry.dept_name, inquiry.item_name) == (
        CLERK.dept,
        "成都市锦江区市场监督管理局",
        "个体工商户设立登记",
    )
    assert local_date(utc(inquiry.reply_due)).isoformat() == "2026-10-13"  # 5 working days after 9-30
    assert [i.id for i in world.inquiries.queue(CLERK, open_only=True)] == [inquiry.id]
    assert world.inquiries.queue(OTHER_CLERK) == []
    world.clock.now = datetime(2026, 10, 13, 15, 0, tzinfo=UTC)  # 23:00 on the 5th working day
    assert world.inquiries.sweep() == 0
    world.clock.now = datetime(2026, 10, 14, 2, 0, tzinfo=UTC)  # the 6th working day
    assert world.inquiries.sweep() == 1 and world.inquiries.sweep() == 0
    answered = world.inquiries.answer(CLERK, inquiry.id, "需携带身份证和经营场所证明。", publish=False)
    assert (answered.status, answered.answered_late) == ("answered", True)
    assert _events(world, "InquiryOverdue") == 1 and _events(world, "InquiryAnswered") == 1
    with pytest.raises(FailedPrecondition):
        world.inquiries.answer(CLERK, inquiry.id, "再次答复", publish=False)
    world.inquiries.answer(CLERK, world.inquiries.ask(CITIZEN, ASKED).id, "当天答复。", publish=False)
    world.inquiries.ask(CITIZEN, ASKED)  # not due yet: not counted
    figures = world.indicators.of(Scope("510104", since=date(2026, 9, 1), until=date(2026, 10, 31)))
    assert (figures.consultations_due, figures.consultations_on_time) == (2, 1)
    assert figures.consultation_on_time_rate == 50.0


def test_a_reply_is_published_only_with_the_askers_consent(world: World) -> None:
    private = world.inquiries.ask(CITIZEN, ASKED)
    with pytest.raises(InvalidArgument):
        world.inquiries.answer(CLERK, private.id, "需携带身份证。", publish=True)
    public = world.inquiries.ask(CITIZEN, Question(**{**ASKED.__dict__, "consent_to_publish": True}))
    world.inquiries.answer(CLERK, public.id, "需携带身份证和经营场所证明。", publish=True)
    (shown,) = world.inquiries.published(query="经营场所")
    assert shown.id == public.id and world.inquiries.published(query="不存在的词") == []


def test_a_complaint_about_ones_own_case_is_escalated_to_the_tenant_admin(world: World) -> None:
    with pytest.raises(NotFound):
        world.inquiries.ask(
            STRANGER, Question("complaint", "办理太慢", "办件拖了很久没有结果。", case_no="C-1")
        )
    complaint = world.inquiries.ask(
        CITIZEN, Question("complaint", "办理太慢", "办件拖了很久没有结果。", case_no="C-1")
    )
    assert complaint.dept == CLERK.dept
    escalated = world.inquiries.escalate(CITIZEN, complaint.id, "部门一直未答复")
    assert escalated.status == "escalated"
    with pytest.raises(NotFound):
        world.inquiries.answer(CLERK, complaint.id, "已处理", publish=False)  # now the tenant's to answer
    assert [i.id for i in world.inquiries.queue(TENANT_ADMIN, open_only=True)] == [complaint.id]
    assert (
        world.inquiries.answer(TENANT_ADMIN, complaint.id, "已督促部门办结并致歉。", publish=False).status
        == "answered"
    )
    with pytest.raises(FailedPrecondition):
        world.inquiries.escalate(CITIZEN, world.inquiries.ask(CITIZEN, ASKED).id, "咨询不能升级")


def test_the_reply_limits_are_the_tenants(world: World) -> None:
    world.rules.update(TENANT_ADMIN, Rules("", consultation_workdays=3))
    inquiry = world.inquiries.ask(CITIZEN, ASKED)
    assert local_date(utc(inquiry.reply_due)).isoformat() == "2026-10-10"  # a Saturday worked (调休)
    with pytest.raises(InvalidArgument):
        world.inquiries.ask(CITIZEN, Question("consultation", "无事项", "没有指明事项的咨询。"))
