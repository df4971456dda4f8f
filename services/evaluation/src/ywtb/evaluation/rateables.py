"""Cases open to rating: the consumer notes each completed case (and each received or accepted one where the
tenant rates those stages); the holder round reads its applicant from intake; the default round rates, as
the system (channel 7, the tenant's level), a stage left unrated for the tenant's number of days.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.common.case_facts import CaseFacts
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.workers import failure_reason, retry_later
from ywtb.evaluation.models import ACCEPTANCE, DEFAULTED, OPEN, PENDING, RECEIPT, Rateable
from ywtb.evaluation.ratings import DEFAULT_CHANNEL, add_rating, rated_case
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.tenant_settings import rules_of

log = logging.getLogger(__name__)

ROUND_SIZE = 50


class Rateables(Clocked):
    """The stages of cases their applicants may rate."""

    def __init__(
        self, db: Database, facts: CaseFacts, rectifications: Rectifications, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.facts = facts
        self.rectifications = rectifications
        self.clock = clock

    def reach(self, session: Session, case: tuple[str, str, str, str], stage: str, at: datetime) -> None:
        """Note that a case (number, tenant, department, item) reached a stage, in the consumer's transaction;
        receipt and acceptance only where the tenant rates them."""
        case_no, tenant, dept, item_id = case
        rules = rules_of(session, tenant)
        if (stage == RECEIPT and not rules.rate_at_receipt) or (
            stage == ACCEPTANCE and not rules.rate_at_acceptance
        ):
            return
        if session.get(Rateable, (case_no, stage)) is not None:
            return
        session.add(
            Rateable(
                case_no=case_no,
                stage=stage,
                tenant=tenant,
                dept=dept,
                item_id=item_id,
                status=PENDING,
                reached_at=at,
                default_at=at + timedelta(days=rules.default_after_days),
                attempts=0,
                last_error="",
                next_at=self.now(),
                updated_at=self.now(),
            )
        )

    def holder_round(self) -> int:
        """Read the applicant of the cases noted since; how many are now open to rating."""
        now = self.now()
        with self.db.transaction() as session:
            due = session.execute(
                select(Rateable.case_no, Rateable.stage)
                .where(Rateable.status == PENDING, or_(Rateable.next_at.is_(None), Rateable.next_at <= now))
                .order_by(Rateable.next_at)
                .limit(ROUND_SIZE)
            ).all()
        return sum(self._open(case_no, stage) for case_no, stage in due)

    def _open(self, case_no: str, stage: str) -> bool:
        try:
            holder = self.facts.holder(case_no, [])
        except Exception as exc:  # intake unreachable: later, with backoff
            reason = failure_reason(exc)
            log.warning("holder of case %s unread: %s", case_no, reason)
            with self.db.transaction() as session:
                rateable = session.get(Rateable, (case_no, stage), with_for_update=True)
                if rateable is not None and rateable.status == PENDING:
                    retry_later(rateable, reason, self.now())
            return False
        with self.db.transaction() as session:
            rateable = session.get(Rateable, (case_no, stage), with_for_update=True)
            if rateable is None or rateable.status != PENDING:
                return False
            rateable.owner, rateable.holder_name = holder.owner, holder.holder_name
            rateable.item_name, rateable.status, rateable.updated_at = holder.item_name, OPEN, self.now()
        return True

    def default_round(self) -> int:
        """Rate, as the system, the open stages past their default time; how many."""
        now = self.now()
        with self.db.transaction() as session:
            due = session.scalars(
                select(Rateable)
                .where(Rateable.status == OPEN, Rateable.default_at <= now)
                .order_by(Rateable.default_at)
                .limit(ROUND_SIZE)
                .with_for_update(skip_locked=True)
            ).all()
            for rateable in due:
                level = rules_of(session, rateable.tenant).default_level
                add_rating(
                    session,
                    rated_case(session, rateable),
                    self.rectifications,
                    level=level,
                    channel=DEFAULT_CHANNEL,
                    now=now,
                )
                rateable.status, rateable.updated_at = DEFAULTED, now
        return len(due)

    def open_to(self, session: Session, owner: str, case_no: str = "") -> list[Rateable]:
        """The stages the owner may still rate or follow up (in the caller's transaction)."""
        statement = select(Rateable).where(Rateable.owner == owner, Rateable.status != PENDING)
        if case_no:
            statement = statement.where(Rateable.case_no == case_no)
        return list(session.scalars(statement.order_by(Rateable.reached_at.desc()).limit(100)))
