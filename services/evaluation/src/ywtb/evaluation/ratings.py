"""评价: the applicant rates a case at a stage it reached (一事一评), once, then one follow-up (追评); never
forced — no flow waits for it (window visits, 一次一评, are visits.py's). A bad review (1-2) opens its rectification in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.api.evaluation.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ywtb.common.timestamps import timestamp
from ywtb.evaluation import authz
from ywtb.evaluation.events import publish
from ywtb.evaluation.models import DEFAULTED, OPEN, RATED, CaseStaff, Rateable, Rating
from ywtb.evaluation.pushes import queue_push
from ywtb.evaluation.rectifications import Rectifications

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD = 2  # levels up to this are bad reviews
DEFAULT_CHANNEL = 7
ALREADY_RATED = "该办件此环节已评价；如需补充，请追评（仅一次）。"
FOLLOWED_UP = "每个办件每个环节只能追评一次。"


@dataclass(frozen=True)
class Form:
    """The sub-indicators and channels of online (一事一评) or window (一次一评) ratings."""

    indicators: dict[str, str]
    channels: dict[int, str]


ONLINE = Form(
    indicators={
        "efficiency": "办事效率",
        "guide_accuracy": "指南准确",
        "convenience": "办事便捷",
        "usability": "平台好用",
    },
    channels={1: "PC 端", 2: "移动端"},
)
WINDOW = Form(
    indicators={"efficiency": "办事效率", "service_level": "服务水平", "attitude": "服务态度"},
    channels={3: "二维码", 4: "窗口评价器（平板）", 5: "其他大厅终端"},
)


@dataclass(frozen=True)
class RatingAsk:
    """What the rater gives: the level, the sub-indicators, a comment, the channel (case_no: a visit's token
    for a window rating)."""

    case_no: str
    stage: str
    level: int
    indicators: dict[str, int] = field(default_factory=dict)
    comment: str = ""
    channel: int = 1
    follow_up: bool = False


def check(ask: RatingAsk, form: Form = ONLINE) -> None:
    """InvalidArgument naming the wrong field."""
    errors = {}
    if ask.level not in LEVELS:
        errors["level"] = "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"
    for name, value in ask.indicators.items():
        if name not in form.indicators or value not in LEVELS:
            names = "、".join(form.indicators.values())
            errors[f"indicators.{name}"[:60]] = f"分项评价须为{names}之一，等级 1 至 5。"
    if len(ask.comment.strip()) > 500:
        errors["comment"] = "评价内容不能超过 500 字。"
    if ask.channel not in form.channels:
        channels = "、".join(f"{number}（{name}）" for number, name in form.channels.items())
        errors["channel"] = f"评价渠道须为 {channels}。"
    if errors:
        raise InvalidArgument(next(iter(errors.values())), fields=errors)


@dataclass(frozen=True)
class Rated:
    """What a rating is about: a case at a stage, or a window visit, with who served and who rates."""

    case_no: str
    stage: str
    tenant: str
    dept: str
    item_id: str
    item_name: str
    staff: str
    rater_name: str
    real_name: bool
    visit_id: str = ""


def rated_case(session: Session, rateable: Rateable) -> Rated:
    """A case's stage as rated by its applicant (a real-name account), with the clerk who accepted it."""
    staff = session.get(CaseStaff, rateable.case_no)
    return Rated(
        case_no=rateable.case_no,
        stage=rateable.stage,
        tenant=rateable.tenant,
        dept=rateable.dept,
        item_id=rateable.item_id,
        item_name=rateable.item_name,
        staff=staff.staff if staff else "",
        rater_name=rateable.holder_name,
        real_name=True,
    )


def add_rating(
    session: Session,
    about: Rated,
    rectifications: Rectifications,
    *,
    level: int,
    channel: int,
    now: datetime,
    rater: str = "",
    indicators: dict[str, int] | None = None,
    comment: str = "",
    follow_up: bool = False,
) -> Rating:
    """The rating (RatingSubmitted; a bad review's rectification), in the caller's transaction."""
    system_default = channel == DEFAULT_CHANNEL
    rating = Rating(
        id=uuid.uuid4().hex,
        case_no=about.case_no,
        stage=about.stage,
        visit_id=about.visit_id,
        tenant=about.tenant,
        dept=about.dept,
        item_id=about.item_id,
        item_name=about.item_name,
        staff=about.staff,
        rater=rater,
        rater_name="" if system_default else about.rater_name,
        real_name=about.real_name and not system_default,
        level=level,
        indicators=dict(indicators or {}),
        comment=comment.strip(),
        channel=channel,
        follow_up=follow_up,
        system_default=system_default,
        excluded=False,
        excluded_reason="",
        created_at=now,
    )
    session.add(rating)
    session.flush()  # the unique (case, stage, visit, follow-up) refuses a second one here
    event = events_pb2.RatingSubmitted(
        rating_id=rating.id,
        case_no=rating.case_no,
        tenant=rating.tenant,
        dept=rating.dept,
        item_id=rating.item_id,
        stage=rating.stage,
        level=level,
        channel=channel,
        follow_up=follow_up,
        system_default=system_default,
        rated_at=timestamp(now),
        visit_id=rating.visit_id,
        staff=rating.staff,
        real_name=rating.real_name,
    )
    queue_push(session, rating, now)  # to the provincial 好差评 platform, with the rating
    publish(session, event, key=rating.case_no or rating.visit_id, tenant=rating.tenant)
    if level <= BAD:
        rectifications.open(session, rating, now)
    return rating


def check_turn(
    session: Session,
    where: list[Any],
    follow_up: bool,
    rated_already: bool,
    said: tuple[str, str] = (ALREADY_RATED, FOLLOWED_UP),
) -> None:
    """A first rating once, then one follow-up; `where` picks the ratings of the same case stage or visit, and
    `said` the words for a second rating and a second follow-up."""
    rated = {is_follow_up for (is_follow_up,) in session.execute(select(Rating.follow_up).where(*where))}
    if follow_up and False not in rated:
        raise FailedPrecondition("请先评价，再追评。", code="EVALUATION_NOT_RATED")
    if (follow_up and True in rated) or (not follow_up and (False in rated or rated_already)):
        raise AlreadyExists(said[1] if follow_up else said[0], code="EVALUATION_ALREADY_RATED")


class Ratings(Clocked):
    """The applicants' ratings."""

    def __init__(self, db: Database, rectifications: Rectifications, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.rectifications = rectifications
        self.clock = clock

    def rate(self, principal: Principal, ask: RatingAsk) -> Rating:
        """Rate (or follow up) a stage of one of the caller's cases."""
        authz.require_applicant(principal)
        check(ask)
        now = self.now()
        try:
            with self.db.transaction() as session:
                rateable = session.get(Rateable, (ask.case_no, ask.stage), with_for_update=True)
                if rateable is None or rateable.status == "pending" or rateable.owner != principal.subject:
                    raise NotFound(
                        "未找到可评价的办件：办件须是您本人的，且已到该环节（办结后请稍候片刻再评价）。",
                        code="EVALUATION_NOT_RATEABLE",
                    )
                check_turn(
                    session,
                    [Rating.case_no == rateable.case_no, Rating.stage == rateable.stage],
                    ask.follow_up,
                    rateable.status in (RATED, DEFAULTED),
                )
                rating = add_rating(
                    session,
                    rated_case(session, rateable),
                    self.rectifications,
                    level=ask.level,
                    channel=ask.channel,
                    now=now,
                    rater=principal.subject,
                    indicators=ask.indicators,
                    comment=ask.comment,
                    follow_up=ask.follow_up,
                )
                if rateable.status == OPEN:
                    rateable.status = RATED
                session.flush()
                session.expunge(rating)
        except IntegrityError as exc:  # the same rating sent twice at once
            raise AlreadyExists(ALREADY_RATED, code="EVALUATION_ALREADY_RATED") from exc
        return rating
