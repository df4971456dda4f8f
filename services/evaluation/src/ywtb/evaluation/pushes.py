"""上报省好差评系统: every rating, and each later revision of it (its exclusion by an appeal), is queued in the
rating's transaction and pushed in batches, in order, with backoff while the province cannot be reached; a
refusal is kept with the province's code and not retried; the daily reconciliation (对账) re-queues what the
province lacks. Without a province URL nothing is pushed and the queue keeps everything for later.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ywtb.common.calendar import day_bounds, local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.workers import Worker, failure_reason, periodic, retry_later
from ywtb.evaluation.config import EvaluationSettings
from ywtb.evaluation.models import PUSH_PENDING, PUSH_REFUSED, PUSH_SENT, Rating, RatingPush
from ywtb.evaluation.province import (
    Ack,
    HttpProvincialRatingsPlatform,
    PlatformRefused,
    ProvincialRatingsPlatform,
    RatingReport,
)

log = logging.getLogger(__name__)

BATCH = 50
MAX_BATCHES = 20  # per round: a long backlog goes out over several rounds
NOT_RECEIVED = "reconciliation: the province does not hold this revision; re-queued"


def queue_push(session: Session, rating: Rating, now: datetime) -> RatingPush:
    """Queue the rating's next revision for the province (its first report, or the re-report of its
    exclusion), in the caller's transaction."""
    last = session.scalar(select(func.max(RatingPush.revision)).where(RatingPush.rating_id == rating.id))
    push = RatingPush(
        rating_id=rating.id,
        revision=(last or 0) + 1,
        tenant=rating.tenant,
        excluded=rating.excluded,
        excluded_reason=rating.excluded_reason,
        status=PUSH_PENDING,
        attempts=0,
        next_at=now,
        last_error="",
        refused_code="",
        sent_at=None,
        created_at=now,
        updated_at=now,
    )
    session.add(push)
    return push


def report_of(push: RatingPush, rating: Rating) -> RatingReport:
    """What the province receives of one revision of a rating."""
    return RatingReport(
        rating_id=rating.id,
        revision=push.revision,
        tenant=rating.tenant,
        dept=rating.dept,
        item_id=rating.item_id,
        item_name=rating.item_name,
        case_no=rating.case_no,
        visit_id=rating.visit_id,
        stage=rating.stage,
        level=rating.level,
        indicators={str(name): int(value) for name, value in (rating.indicators or {}).items()},
        channel=rating.channel,
        follow_up=rating.follow_up,
        system_default=rating.system_default,
        real_name=rating.real_name,
        staff=rating.staff,
        rated_at=utc(rating.created_at),
        excluded=push.excluded,
        excluded_reason=push.excluded_reason,
    )


class RatingPushes(Clocked):
    """The queue of ratings to push to the provincial 好差评 platform."""

    def __init__(
        self, db: Database, platform: ProvincialRatingsPlatform, *, clock: Clock = utc_now, batch: int = BATCH
    ) -> None:
        self.db = db
        self.platform = platform
        self.clock = clock
        self.batch = batch
        self._reconciled: date | None = (
            None  # the last day the daily round did (again after a restart: harmless)
        )

    def push_round(self) -> int:
        """Send the due revisions, oldest first, a batch at a time; how many the province accepted."""
        accepted = 0
        for _ in range(MAX_BATCHES):
            with self.db.transaction() as session:
                due = session.scalars(
                    select(RatingPush.id)
                    .where(RatingPush.status == PUSH_PENDING, RatingPush.next_at <= self.now())
                    .order_by(RatingPush.id)
                    .limit(self.batch)
                ).all()
            if not due:
                break
            sent = self._send(list(due))
            if sent is None:  # the province is unreachable: the next round, after the backoff
                break
            accepted += sent
            if len(due) < self.batch:
                break
        return accepted

    def _send(self, ids: list[int]) -> int | None:
        """Push one batch; how many the province accepted, or None when it could not be asked."""
        with self.db.transaction() as session:
            rows = session.execute(
                select(RatingPush, Rating)
                .join(Rating, Rating.id == RatingPush.rating_id)
                .where(RatingPush.id.in_(ids))
                .order_by(RatingPush.id)
            ).all()
            reports = {push.id: report_of(push, rating) for push, rating in rows}
        try:
            acks = self.platform.report(list(reports.values()))
        except PlatformRefused as refused:
            if len(reports) > 1:  # one bad report refuses its batch: each alone finds which
                return sum(self._send([push_id]) or 0 for push_id in reports)
            acks = [
                Ack(*report.key, False, refused.code or str(refused.status), refused.message)
                for report in reports.values()
            ]
        except (
            Exception
        ) as exc:  # unreachable, 5xx, unverifiable: every report of the batch later, with backoff
            reason = failure_reason(exc)
            log.warning("%d ratings not pushed to the province: %s", len(reports), reason)
            self._retry_later(list(reports), reason)
            return None
        return self._record(reports, {ack.key: ack for ack in acks})

    def _record(self, reports: dict[int, RatingReport], acks: dict[tuple[str, int], Ack]) -> int:
        """Each report's ack: sent, refused with the province's code, or (none) retried later."""
        now = self.now()
        with self.db.transaction() as session:
            for push_id, report in reports.items():
                push = session.get(RatingPush, push_id, with_for_update=True)
                if push is None or push.status != PUSH_PENDING:
                    continue
                ack = acks.get(report.key)
                if ack is None:
                    retry_later(push, "no ack of this report in the province's answer", now)
                    continue
                push.attempts += 1
                push.updated_at = now
                if ack.accepted:
                    push.status, push.sent_at, push.last_error = PUSH_SENT, now, ""
                    continue
                push.status, push.refused_code, push.last_error = PUSH_REFUSED, ack.code[:40], ack.message
                log.warning(
                    "rating %s revision %d refused by the province: %s %s",
                    push.rating_id,
                    push.revision,
                    ack.code,
                    ack.message,
                )
        return sum(1 for report in reports.values() if (ack := acks.get(report.key)) and ack.accepted)

    def _retry_later(self, ids: list[int], reason: str) -> None:
        now = self.now()
        with self.db.transaction() as session:
            for push_id in ids:
                push = session.get(RatingPush, push_id, with_for_update=True)
                if push is not None and push.status == PUSH_PENDING:
                    retry_later(push, reason, now)

    def repush_round(self, day: date) -> int:
        """对账 of the ratings rated that Beijing day: re-queue each sent revision the province does not hold
        (nor a later one); how many. Ratings whose latest revision is still queued or was refused are left."""
        start, end = day_bounds(day)
        with self.db.transaction() as session:
            rows = session.execute(
                select(RatingPush.tenant, RatingPush.rating_id, RatingPush.revision, RatingPush.status)
                .join(Rating, Rating.id == RatingPush.rating_id)
                .where(Rating.created_at >= start, Rating.created_at < end)
            ).all()
        latest: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        for tenant, rating_id, revision, status in rows:
            if revision > latest[tenant].get(rating_id, (0, ""))[0]:
                latest[tenant][rating_id] = (revision, status)
        missing: list[tuple[str, int]] = []
        for tenant, ratings in sorted(latest.items()):
            held: dict[str, int] = {}
            for rating_id, revision in self.platform.received(tenant, day):
                held[rating_id] = max(revision, held.get(rating_id, 0))
            missing += [
                (rating_id, revision)
                for rating_id, (revision, status) in ratings.items()
                if status == PUSH_SENT and held.get(rating_id, 0) < revision
            ]
        return self._requeue(missing, day)

    def _requeue(self, missing: list[tuple[str, int]], day: date) -> int:
        now = self.now()
        with self.db.transaction() as session:
            for rating_id, revision in missing:
                push = session.scalar(
                    select(RatingPush)
                    .where(RatingPush.rating_id == rating_id, RatingPush.revision == revision)
                    .with_for_update()
                )
                if push is not None and push.status == PUSH_SENT:
                    push.status, push.attempts, push.next_at = PUSH_PENDING, 0, now
                    push.last_error, push.updated_at = NOT_RECEIVED, now
        if missing:
            log.warning("reconciliation of %s: %d ratings re-queued for the province", day, len(missing))
        return len(missing)

    def daily_round(self) -> int:
        """Once a Beijing day: reconcile yesterday, and the days of the ratings whose revisions went out
        yesterday (an exclusion of an older rating); how many were re-queued."""
        yesterday = local_date(self.now()) - timedelta(days=1)
        if self._reconciled == yesterday:
            return 0
        start, end = day_bounds(yesterday)
        with self.db.transaction() as session:
            rated = session.scalars(
                select(Rating.created_at)
                .join(RatingPush, RatingPush.rating_id == Rating.id)
                .where(RatingPush.sent_at >= start, RatingPush.sent_at < end)
            ).all()
        requeued = sum(
            self.repush_round(day)
            for day in sorted({yesterday, *(local_date(utc(moment)) for moment in rated)})
        )
        self._reconciled = yesterday
        return requeued

    def counts(self) -> dict[str, int]:
        """How many revisions are pending, sent and refused."""
        with self.db.transaction() as session:
            found = dict(
                session.execute(select(RatingPush.status, func.count()).group_by(RatingPush.status)).all()
            )
        return {status: int(found.get(status, 0)) for status in (PUSH_PENDING, PUSH_SENT, PUSH_REFUSED)}


def push_workers(settings: EvaluationSettings, db: Database, *, clock: Clock = utc_now) -> dict[str, Worker]:
    """The push and reconciliation rounds when a province URL is set; none without (the queue still fills)."""
    if not settings.province_url:
        log.info("no province_url: ratings are queued, not pushed to the provincial 好差评 platform")
        return {}
    platform = HttpProvincialRatingsPlatform(
        settings.province_url,
        settings.province_key.get_secret_value(),
        timeout_s=settings.province_timeout_s,
    )
    pushes = RatingPushes(db, platform, clock=clock)
    return {
        "pushes": periodic("pushes", pushes.push_round, interval_s=settings.push_interval_s),
        "repushes": periodic("repushes", pushes.daily_round, interval_s=settings.repush_interval_s),
    }
