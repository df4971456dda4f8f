"""Reading ratings: a case's, the caller's own, a department's — each with who rated shown only to those
authz.may_see_rater admits (the rest see the surname and stars), and with their rectifications."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import NotFound
from ywtb.common.pii import mask_name
from ywtb.evaluation import authz
from ywtb.evaluation.models import Rateable, Rating, Rectification
from ywtb.evaluation.rateables import Rateables
from ywtb.evaluation.ratings import BAD
from ywtb.evaluation.rectifications import Rectifications


@dataclass(frozen=True)
class Shown:
    """A rating as the caller may see it, with its rectification."""

    rating: Rating
    rater_name: str
    rater: str
    rectification: Rectification | None
    staff: str = ""  # who served: to staff and supervisors, never to the rater

    @classmethod
    def own(cls, rating: Rating) -> Shown:
        """A rating as shown to the one who just gave it."""
        return cls(rating, rating.rater_name, rating.rater, None)


def _page(page_size: int, offset: int) -> tuple[int, int]:
    return min(max(page_size or 50, 1), 100), max(offset, 0)


class Reads:
    """The rating reads."""

    def __init__(self, db: Database, rateables: Rateables, rectifications: Rectifications) -> None:
        self.db = db
        self.rateables = rateables
        self.rectifications = rectifications

    def _shown(
        self, principal: Principal, ratings: list[Rating], by_rating: dict[str, Rectification]
    ) -> list[Shown]:
        shown = []
        for rating in ratings:
            whole = authz.may_see_rater(principal, rating.tenant, rating.dept, rating.rater)
            shown.append(
                Shown(
                    rating=rating,
                    rater_name=rating.rater_name if whole else mask_name(rating.rater_name),
                    rater=rating.rater if whole else "",
                    rectification=by_rating.get(rating.id),
                    staff=rating.staff if authz.in_scope(principal, rating.tenant, rating.dept) else "",
                )
            )
        return shown

    def of_case(self, principal: Principal, case_no: str) -> tuple[list[Shown], list[Rateable]]:
        """The case's ratings, oldest first, and (to its applicant) the stages still to rate."""
        with self.db.transaction() as session:
            stages = list(session.scalars(select(Rateable).where(Rateable.case_no == case_no)))
            ratings = list(
                session.scalars(select(Rating).where(Rating.case_no == case_no).order_by(Rating.created_at))
            )
            known = stages[0] if stages else (ratings[0] if ratings else None)
            owner = stages[0].owner if stages else ""
            if known is None or not authz.may_read(principal, known.tenant, known.dept, owner):
                raise NotFound("未找到该办件的评价。", code="EVALUATION_NOT_FOUND")
            by_rating = self.rectifications.of_ratings(session, [r.id for r in ratings])
            shown = self._shown(principal, ratings, by_rating)
            mine = [s for s in stages if owner and owner == principal.subject]
            session.expunge_all()
        return shown, mine

    def mine(
        self, principal: Principal, page_size: int = 50, offset: int = 0
    ) -> tuple[list[Shown], list[Rateable]]:
        """The caller's ratings, newest first, and the stages they may still rate."""
        authz.require_applicant(principal)
        limit, skip = _page(page_size, offset)
        with self.db.transaction() as session:
            ratings = list(
                session.scalars(
                    select(Rating)
                    .where(Rating.rater == principal.subject)
                    .order_by(Rating.created_at.desc())
                    .limit(limit)
                    .offset(skip)
                )
            )
            by_rating = self.rectifications.of_ratings(session, [r.id for r in ratings])
            shown = self._shown(principal, ratings, by_rating)
            stages = self.rateables.open_to(session, principal.subject)
            session.expunge_all()
        return shown, stages

    def of_department(
        self, principal: Principal, bad_only: bool = False, page_size: int = 50, offset: int = 0
    ) -> list[Shown]:
        """The ratings of the caller's department (or supervised tenants), newest first."""
        authz.require_department_staff(principal)
        limit, skip = _page(page_size, offset)
        statement = select(Rating).order_by(Rating.created_at.desc())
        if principal.dept and not principal.has_role(*tenancy.SUPERVISING_ROLES):  # supervisors: every dept
            statement = statement.where(Rating.tenant == principal.tenant, Rating.dept == principal.dept)
        if bad_only:
            statement = statement.where(Rating.level <= BAD)
        with self.db.transaction() as session:
            candidates = session.scalars(statement.limit(limit * 5 + skip))
            ratings = [r for r in candidates if authz.in_scope(principal, r.tenant, r.dept)][
                skip : skip + limit
            ]
            by_rating = self.rectifications.of_ratings(session, [r.id for r in ratings])
            shown = self._shown(principal, ratings, by_rating)
            session.expunge_all()
        return shown

    def ratings_by_id(self, rating_ids: list[str]) -> dict[str, Rating]:
        """These ratings by id (already read under their reader's rights)."""
        if not rating_ids:
            return {}
        with self.db.transaction() as session:
            found = {r.id: r for r in session.scalars(select(Rating).where(Rating.id.in_(rating_ids)))}
            session.expunge_all()
        return found
