"""一次一评: the window clerk records a visit and the visitor rates it once (then one follow-up) by scanning its QR
code or on the window's tablet — logged in or anonymous; the token on the code is the only key to rate it,
and it lapses after VALID_DAYS. A visitor's bad review opens a rectification like a case's.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.case_facts import CaseFacts
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from ywtb.evaluation.models import VISIT, VISIT_OPEN, VISIT_RATED, Rating, Visit
from ywtb.evaluation.ratings import WINDOW, Rated, RatingAsk, add_rating, check, check_turn
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.texts import text_of

VALID_DAYS = 7  # the code on the visit's slip may be scanned at home
SERVING_ROLES = (tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN)
ALREADY_RATED = "本次窗口服务已评价；如需补充，请追评（仅一次）。"
FOLLOWED_UP = "本次窗口服务已追评，不能再追评。"


@dataclass(frozen=True)
class VisitAsk:
    """What the clerk records: the window, and optionally the item, the case and the verified visitor."""

    window: str
    item_id: str = ""
    case_no: str = ""
    visitor_name: str = ""


def token_hash(token: str) -> str:
    """What is stored of a visit's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Visits(Clocked):
    """Window visits and their ratings."""

    def __init__(
        self, db: Database, facts: CaseFacts, rectifications: Rectifications, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.facts = facts
        self.rectifications = rectifications
        self.clock = clock

    def open(self, principal: Principal, ask: VisitAsk) -> tuple[Visit, str]:
        """Record a visit served by the caller; the visit and its token (for the QR code and the tablet)."""
        if not (
            principal.dept
            and tenancy.is_department_staff(principal, principal.tenant, principal.dept, SERVING_ROLES)
        ):
            raise PermissionDenied("请使用窗口工作人员账号登记窗口服务。", message_en="window staff only")
        window = text_of(ask.window, 1, 40, "window", "请填写窗口名称或编号（1 至 40 字）。")
        visitor_name = ask.visitor_name.strip()[:200]
        item_id, item_name, dept_name = ask.item_id.strip(), "", ""
        if ask.case_no:
            holder = self.facts.holder(ask.case_no, [])
            if holder.tenant != principal.tenant or holder.dept != principal.dept:
                raise NotFound("未找到本部门的该办件，请核对办件编号。", code="EVALUATION_NOT_FOUND")
            item_id, item_name, dept_name = holder.item_id, holder.item_name, holder.dept_name
        elif item_id:
            item = self.facts.item(item_id)
            item_name, dept_name = item.guide.name, item.dept_name
        token, now = secrets.token_urlsafe(24), self.now()
        visit = Visit(
            id=uuid.uuid4().hex,
            token_hash=token_hash(token),
            tenant=principal.tenant,
            dept=principal.dept,
            dept_name=dept_name,
            window=window,
            staff=principal.subject,
            staff_name=principal.name or "",
            item_id=item_id,
            item_name=item_name,
            case_no=ask.case_no,
            visitor_name=visitor_name,
            status=VISIT_OPEN,
            created_at=now,
            expires_at=now + timedelta(days=VALID_DAYS),
        )
        with self.db.transaction() as session:
            session.add(visit)
            session.flush()
            session.expunge(visit)
        return visit, token

    def by_token(self, token: str) -> Visit:
        """The visit its code names (public: what the rating page shows); NotFound when unknown."""
        with self.db.transaction() as session:
            visit = self._by_token(session, token)
            session.expunge(visit)
        return visit

    def rate(self, principal: Principal | None, token: str, ask: RatingAsk) -> Rating:
        """The visitor's rating: real-name when logged in as an applicant or verified at the window."""
        check(ask, WINDOW)
        applicant = principal is not None and principal.has_role(*tenancy.APPLICANT_ROLES)
        now = self.now()
        try:
            with self.db.transaction() as session:
                visit = self._by_token(session, token, lock=True)
                if is_expired(visit, now):
                    raise FailedPrecondition(
                        "该窗口服务的评价码已过期（7 天内有效），如需反映问题请提交投诉。",
                        code="EVALUATION_VISIT_EXPIRED",
                    )
                check_turn(
                    session, [Rating.visit_id == visit.id], ask.follow_up, False, (ALREADY_RATED, FOLLOWED_UP)
                )
                rater_name = (principal.name if applicant and principal else "") or visit.visitor_name
                about = Rated(
                    case_no=visit.case_no,
                    stage=VISIT,
                    tenant=visit.tenant,
                    dept=visit.dept,
                    item_id=visit.item_id,
                    item_name=visit.item_name,
                    staff=visit.staff,
                    rater_name=rater_name,
                    real_name=applicant or bool(visit.visitor_name),
                    visit_id=visit.id,
                )
                rating = add_rating(
                    session,
                    about,
                    self.rectifications,
                    level=ask.level,
                    channel=ask.channel,
                    now=now,
                    rater=principal.subject if applicant and principal else "",
                    indicators=ask.indicators,
                    comment=ask.comment,
                    follow_up=ask.follow_up,
                )
                visit.status = VISIT_RATED
                session.flush()
                session.expunge(rating)
        except IntegrityError as exc:  # the same rating sent twice at once
            raise AlreadyExists(ALREADY_RATED, code="EVALUATION_ALREADY_RATED") from exc
        return rating

    def served_by(self, principal: Principal, limit: int = 50) -> list[Visit]:
        """The caller's visits, newest first (the workbench's window page)."""
        with self.db.transaction() as session:
            visits = list(
                session.scalars(
                    select(Visit)
                    .where(Visit.staff == principal.subject, Visit.tenant == principal.tenant)
                    .order_by(Visit.created_at.desc())
                    .limit(min(max(limit, 1), 100))
                )
            )
            session.expunge_all()
        return visits

    @staticmethod
    def _by_token(session: Session, token: str, *, lock: bool = False) -> Visit:
        statement = select(Visit).where(Visit.token_hash == token_hash(token.strip()))
        visit = session.scalars(statement.with_for_update() if lock else statement).first()
        if visit is None or not token.strip():
            raise NotFound(
                "未找到该窗口服务，请重新扫描窗口提供的评价码。", code="EVALUATION_VISIT_NOT_FOUND"
            )
        return visit


def is_expired(visit: Visit, now: datetime) -> bool:
    """The visit's code has lapsed."""
    return utc(visit.expires_at) < now
