"""The 好差评 indicators of a tenant, department or item over a period of Beijing days (excluded ratings and
superseded first ratings not counted; each defined once here, its formula in the README)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import false, select

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import day_bounds, local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, PermissionDenied
from ywtb.evaluation.models import (
    ANSWERED,
    CONFIRMED,
    CONSULTATION,
    DISPUTED,
    RECTIFIED,
    CaseStaff,
    Inquiry,
    Rateable,
    Rating,
    Rectification,
    Visit,
)
from ywtb.evaluation.ratings import BAD

GOOD = 4  # levels from this are good ratings
STAFF_LIMIT = 200  # staff members figured at most per scope


@dataclass(frozen=True)
class Scope:
    """Whose indicators, over which days."""

    tenant: str
    dept: str = ""
    item_id: str = ""
    staff: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Figures:
    """The counts and the rates (percent) of a scope."""

    rateable: int
    rated: int
    active_rate: float
    ratings: int
    good: int
    good_rate: float
    bad: int
    rectified: int
    rectification_rate: float
    satisfaction: float
    consultations_due: int
    consultations_on_time: int
    consultation_on_time_rate: float


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument("日期须为 YYYY-MM-DD。", fields={field: "日期须为 YYYY-MM-DD。"}) from None


def scope_of(
    principal: Principal, tenant: str, dept: str, item_id: str, since: str, until: str, staff: str = ""
) -> Scope:
    """The scope asked, checked against the caller: their department, or a tenant they supervise."""
    tenant = tenant or principal.tenant
    if not (tenancy.supervises(principal, tenant) or tenancy.is_unbound(principal)):
        if not (principal.dept and tenancy.is_department_staff(principal, tenant, dept or principal.dept)):
            raise PermissionDenied("只能查看本部门或所监督地区的好差评指标。", message_en="out of scope")
        dept = principal.dept
    return Scope(tenant, dept, item_id, staff, _day(since, "since"), _day(until, "until"))


class Indicators(Clocked):
    """Computing the indicators."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def _period(self, scope: Scope) -> tuple[datetime, datetime]:
        """The scope's Beijing days as [start, end) (default: the 30 days up to today)."""
        until = scope.until or local_date(self.now())
        since = scope.since or until - timedelta(days=30)
        return day_bounds(since, until)

    def of(self, scope: Scope) -> Figures:
        """主动评价率 = rated by applicants ÷ rateable; 好评率 = levels 4-5 ÷ ratings; 差评整改率 = rectified ÷
        bad; satisfaction = mean level × 20 — over the case stages reached and the window visits in the period; 咨询按时答复率 =
        consultations answered by their deadline ÷ those whose deadline has come (answered or not)."""
        start, end = self._period(scope)
        with self.db.transaction() as session:
            rateables = select(Rateable.case_no, Rateable.stage).where(
                Rateable.tenant == scope.tenant, Rateable.reached_at >= start, Rateable.reached_at < end
            )
            ratings = select(Rating).where(
                Rating.tenant == scope.tenant, Rating.created_at >= start, Rating.created_at < end
            )
            if scope.dept:
                rateables = rateables.where(Rateable.dept == scope.dept)
                ratings = ratings.where(Rating.dept == scope.dept)
            visits = select(Visit.id).where(
                Visit.tenant == scope.tenant, Visit.created_at >= start, Visit.created_at < end
            )
            if scope.dept:
                visits = visits.where(Visit.dept == scope.dept)
            if scope.item_id:
                rateables = rateables.where(Rateable.item_id == scope.item_id)
                ratings = ratings.where(Rating.item_id == scope.item_id)
                visits = visits.where(Visit.item_id == scope.item_id)
            if scope.staff:
                accepted = select(CaseStaff.case_no).where(CaseStaff.staff == scope.staff)
                rateables = rateables.where(Rateable.case_no.in_(accepted))
                ratings = ratings.where(Rating.staff == scope.staff)
                visits = visits.where(Visit.staff == scope.staff)
            reached = len(session.execute(rateables).all()) + len(session.execute(visits).all())
            latest: dict[tuple[str, str, str], Rating] = {}
            for rating in session.scalars(ratings.order_by(Rating.created_at)):
                latest[(rating.case_no, rating.stage, rating.visit_id)] = rating  # a follow-up supersedes
            counted = [r for r in latest.values() if not r.excluded]
            bad = [r for r in counted if r.level <= BAD]
            done = {
                rating_id
                for (rating_id,) in session.execute(
                    select(Rectification.rating_id).where(
                        Rectification.rating_id.in_([r.id for r in bad]),
                        Rectification.status.in_((RECTIFIED, CONFIRMED, DISPUTED)),
                    )
                )
            }
            rectified = sum(r.id in done for r in bad)
            asked = select(Inquiry).where(
                Inquiry.tenant == scope.tenant,
                Inquiry.kind == CONSULTATION,
                Inquiry.created_at >= start,
                Inquiry.created_at < end,
            )
            if scope.dept:
                asked = asked.where(Inquiry.dept == scope.dept)
            if scope.staff:  # consultations are a department's, not a staff member's
                asked = asked.where(false())
            if scope.item_id:
                asked = asked.where(Inquiry.item_id == scope.item_id)
            now = self.now()
            due = [i for i in session.scalars(asked) if i.status == ANSWERED or utc(i.reply_due) < now]
            on_time = sum(i.status == ANSWERED and not i.answered_late for i in due)
        active = sum(not r.system_default for r in counted)
        good = sum(r.level >= GOOD for r in counted)
        mean = sum(r.level for r in counted) / len(counted) if counted else 0.0
        return Figures(
            rateable=reached,
            rated=active,
            active_rate=_percent(active, reached),
            ratings=len(counted),
            good=good,
            good_rate=_percent(good, len(counted)),
            bad=len(bad),
            rectified=rectified,
            rectification_rate=_percent(rectified, len(bad)),
            satisfaction=round(mean * 20, 2),
            consultations_due=len(due),
            consultations_on_time=on_time,
            consultation_on_time_rate=_percent(on_time, len(due)),
        )

    def by_staff(self, scope: Scope) -> list[tuple[str, Figures]]:
        """Each staff member's figures in the scope (those with ratings or visits in it), most ratings first."""
        start, end = self._period(scope)
        with self.db.transaction() as session:
            rated = select(Rating.staff).where(
                Rating.tenant == scope.tenant, Rating.created_at >= start, Rating.created_at < end
            )
            served = select(Visit.staff).where(
                Visit.tenant == scope.tenant, Visit.created_at >= start, Visit.created_at < end
            )
            if scope.dept:
                rated, served = rated.where(Rating.dept == scope.dept), served.where(Visit.dept == scope.dept)
            staff = {s for (s,) in session.execute(rated.union(served)) if s}
        figures = [(member, self.of(replace(scope, staff=member))) for member in sorted(staff)[:STAFF_LIMIT]]
        return sorted(figures, key=lambda pair: -pair[1].ratings)
