"""差评整改: a bad review opens a rectification for the rated department — the rater called back within the
tenant's working days (default 1; every real-name bad review), then rectified (default 15 working days),
the result told to the rater, who confirms it or not. The sweep raises an overdue step once.

to_call ──▶ called_back ──▶ rectified ──▶ confirmed | disputed
   └────────────┴───────────────┴──▶ withdrawn (the rating excluded by an appeal)
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.api.evaluation.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import WorkCalendar, national_calendar
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, NotFound
from ywtb.common.timestamps import timestamp
from ywtb.evaluation import authz
from ywtb.evaluation.events import publish
from ywtb.evaluation.models import (
    CALLED_BACK,
    CONFIRMED,
    DISPUTED,
    RECTIFIED,
    TO_CALL,
    WITHDRAWN,
    Rating,
    Rectification,
)
from ywtb.evaluation.tenant_settings import rules_of
from ywtb.evaluation.texts import text_of

MOVES = {
    TO_CALL: {CALLED_BACK, WITHDRAWN},
    CALLED_BACK: {RECTIFIED, WITHDRAWN},
    RECTIFIED: {CONFIRMED, DISPUTED, WITHDRAWN},
    CONFIRMED: set(),
    DISPUTED: set(),
    WITHDRAWN: set(),
}
LABELS = {
    TO_CALL: "待回访",
    CALLED_BACK: "待整改",
    RECTIFIED: "已整改，待评价人确认",
    CONFIRMED: "评价人已确认",
    DISPUTED: "评价人认为未解决",
    WITHDRAWN: "已撤销（申诉成立）",
}
CLOSED = (CONFIRMED, DISPUTED, WITHDRAWN)
ANONYMOUS = "匿名评价，无法回访。"


class Rectifications(Clocked):
    """The rectifications of bad reviews."""

    def __init__(self, db: Database, *, clock: Clock = utc_now, calendar: WorkCalendar | None = None) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar or national_calendar()

    def open(self, session: Session, rating: Rating, now: datetime) -> Rectification:
        """The bad review's rectification with its due times (in the rating's transaction); an anonymous
        rater cannot be called back, so theirs starts at rectifying."""
        rules = rules_of(session, rating.tenant)
        anonymous = not rating.real_name and not rating.rater
        rectification = Rectification(
            id=uuid.uuid4().hex,
            rating_id=rating.id,
            tenant=rating.tenant,
            case_no=rating.case_no,
            visit_id=rating.visit_id,
            dept=rating.dept,
            rater=rating.rater,
            status=CALLED_BACK if anonymous else TO_CALL,
            callback_note=ANONYMOUS if anonymous else "",
            callback_due=utc(self.calendar.deadline(now, rules.callback_workdays)),
            rectify_due=utc(self.calendar.deadline(now, rules.rectify_workdays)),
            created_at=now,
            updated_at=now,
        )
        session.add(rectification)
        event = events_pb2.BadReviewOpened(
            rectification_id=rectification.id,
            rating_id=rating.id,
            case_no=rating.case_no,
            tenant=rating.tenant,
            dept=rating.dept,
            real_name=rating.real_name,
            callback_due=timestamp(rectification.callback_due),
            rectify_due=timestamp(rectification.rectify_due),
        )
        publish(session, event, key=rectification.key, tenant=rating.tenant)
        return rectification

    def move(self, session: Session, rectification: Rectification, target: str, now: datetime) -> None:
        """The one place a rectification's status changes; FailedPrecondition when the move is not drawn."""
        if target not in MOVES[rectification.status]:
            raise FailedPrecondition(
                f"该差评整改{LABELS[rectification.status]}，不能变为{LABELS[target]}。",
                code="EVALUATION_STATE",
                message_en=f"rectification {rectification.status} cannot become {target}",
            )
        rectification.status, rectification.updated_at = target, now
        event = events_pb2.RectificationChanged(
            rectification_id=rectification.id,
            case_no=rectification.case_no,
            tenant=rectification.tenant,
            dept=rectification.dept,
            status=target,
            at=timestamp(now),
        )
        publish(session, event, key=rectification.key, tenant=rectification.tenant)

    def call_back(self, principal: Principal, rectification_id: str, note: str) -> Rectification:
        """回访 recorded by the rated department's staff."""
        note = text_of(note, 2, 500, "note", "请填写回访情况（2 至 500 字）。")
        return self._by_handler(principal, rectification_id, CALLED_BACK, note=note)

    def rectify(self, principal: Principal, rectification_id: str, result: str) -> Rectification:
        """整改 recorded by the rated department's staff, after the callback; told to the rater."""
        result = text_of(result, 2, 1000, "result", "请填写整改情况（2 至 1000 字），将告知评价人。")
        return self._by_handler(principal, rectification_id, RECTIFIED, result=result)

    def _by_handler(
        self, principal: Principal, rectification_id: str, target: str, **text: str
    ) -> Rectification:
        now = self.now()
        with self.db.transaction() as session:
            rectification = self._locked(session, rectification_id)
            authz.require_handler(principal, rectification.tenant, rectification.dept)
            self.move(session, rectification, target, now)
            if target == CALLED_BACK:
                rectification.callback_note = text["note"]
                rectification.called_back_by, rectification.called_back_at = principal.subject, now
            else:
                rectification.result = text["result"]
                rectification.rectified_by, rectification.rectified_at = principal.subject, now
            session.flush()
            session.expunge(rectification)
        return rectification

    def confirm(
        self, principal: Principal, rectification_id: str, satisfied: bool, comment: str
    ) -> Rectification:
        """The rater's word on the rectification's result."""
        authz.require_applicant(principal)
        comment = text_of(comment, 0, 500, "comment", "意见不能超过 500 字。")
        now = self.now()
        with self.db.transaction() as session:
            rectification = self._locked(session, rectification_id)
            if rectification.rater != principal.subject:
                raise NotFound("未找到该差评整改。", code="EVALUATION_NOT_FOUND")
            self.move(session, rectification, CONFIRMED if satisfied else DISPUTED, now)
            rectification.rater_verdict = "satisfied" if satisfied else "unsatisfied"
            rectification.rater_comment = comment
            session.flush()
            session.expunge(rectification)
        return rectification

    def withdraw(self, session: Session, rating_id: str, now: datetime) -> None:
        """The rating was excluded by an appeal: its rectification, if still open, is withdrawn."""
        rectification = session.scalar(
            select(Rectification).where(Rectification.rating_id == rating_id).with_for_update()
        )
        if rectification is not None and rectification.status not in CLOSED:
            self.move(session, rectification, WITHDRAWN, now)

    def sweep(self) -> int:
        """Raise each callback and rectification past its due time once (RectificationOverdue); how many."""
        now = self.now()
        raised = 0
        with self.db.transaction() as session:
            open_ones = session.scalars(
                select(Rectification)
                .where(Rectification.status.in_((TO_CALL, CALLED_BACK)))
                .where(
                    or_(Rectification.callback_overdue.is_(False), Rectification.rectify_overdue.is_(False))
                )
                .limit(500)
            ).all()
            for rectification in open_ones:
                steps = []
                late_call = rectification.status == TO_CALL and utc(rectification.callback_due) < now
                if late_call and not rectification.callback_overdue:
                    rectification.callback_overdue = True
                    steps.append(("callback", rectification.callback_due))
                if not rectification.rectify_overdue and utc(rectification.rectify_due) < now:
                    rectification.rectify_overdue = True
                    steps.append(("rectify", rectification.rectify_due))
                for step, due in steps:
                    event = events_pb2.RectificationOverdue(
                        rectification_id=rectification.id,
                        case_no=rectification.case_no,
                        tenant=rectification.tenant,
                        dept=rectification.dept,
                        step=step,
                        due=timestamp(utc(due)),
                    )
                    publish(session, event, key=rectification.key, tenant=rectification.tenant)
                    raised += 1
        return raised

    def of_department(self, principal: Principal, open_only: bool = False) -> list[Rectification]:
        """The rectifications of the caller's department (or supervised tenants), open first."""
        authz.require_department_staff(principal)
        statement = select(Rectification).order_by(Rectification.created_at.desc()).limit(500)
        if open_only:
            statement = statement.where(Rectification.status.not_in(CLOSED))
        with self.db.transaction() as session:
            found = [r for r in session.scalars(statement) if authz.in_scope(principal, r.tenant, r.dept)]
            session.expunge_all()
        return sorted(found, key=lambda r: r.status in CLOSED)

    def of_ratings(self, session: Session, rating_ids: list[str]) -> dict[str, Rectification]:
        """The rectifications of these ratings, by rating id (in the caller's transaction)."""
        if not rating_ids:
            return {}
        found = session.scalars(select(Rectification).where(Rectification.rating_id.in_(rating_ids)))
        return {r.rating_id: r for r in found}

    @staticmethod
    def _locked(session: Session, rectification_id: str) -> Rectification:
        rectification = session.get(Rectification, rectification_id, with_for_update=True)
        if rectification is None:
            raise NotFound("未找到该差评整改。", code="EVALUATION_NOT_FOUND")
        return rectification
