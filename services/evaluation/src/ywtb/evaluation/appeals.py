"""申诉: the rated department's admin asks to exclude a mistaken or malicious rating, with evidence; a tenant
admin governing its tenant (政务服务管理) decides. Approved, the rating is excluded from the indicators — kept,
never deleted — and its open rectification withdrawn.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ywtb.api.evaluation.v1 import events_pb2
from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, NotFound, PermissionDenied
from ywtb.evaluation import authz
from ywtb.evaluation.events import publish
from ywtb.evaluation.models import APPEAL_APPROVED, APPEAL_PENDING, APPEAL_REJECTED, Appeal, Rating
from ywtb.evaluation.pushes import queue_push
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.texts import text_of


class Appeals(Clocked):
    """Appeals of ratings."""

    def __init__(self, db: Database, rectifications: Rectifications, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.rectifications = rectifications
        self.clock = clock

    def appeal(self, principal: Principal, rating_id: str, reason: str, evidence: str) -> Appeal:
        """A department admin's appeal of a rating of their department (one pending at a time)."""
        reason = text_of(reason, 2, 500, "reason", "请填写申诉理由（2 至 500 字）。")
        evidence = text_of(
            evidence, 2, 2000, "evidence", "请说明证据（2 至 2000 字），例如录音、监控或办件记录。"
        )
        with self.db.transaction() as session:
            rating = session.get(Rating, rating_id, with_for_update=True)
            if rating is None or not authz.in_scope(principal, rating.tenant, rating.dept):
                raise NotFound("未找到该评价。", code="EVALUATION_NOT_FOUND")
            if not tenancy.is_department_staff(principal, rating.tenant, rating.dept, authz.APPEAL_ROLES):
                raise PermissionDenied(
                    "申诉须由被评价部门的管理员提出。", message_en="dept admins of the rated department"
                )
            if rating.excluded:
                raise FailedPrecondition("该评价已因申诉成立而不计入指标。", code="EVALUATION_STATE")
            pending = session.scalar(
                select(Appeal.id).where(Appeal.rating_id == rating_id, Appeal.status == APPEAL_PENDING)
            )
            if pending:
                raise FailedPrecondition("该评价已有待审核的申诉。", code="EVALUATION_APPEAL_PENDING")
            appeal = Appeal(
                id=uuid.uuid4().hex,
                rating_id=rating_id,
                tenant=rating.tenant,
                dept=rating.dept,
                reason=reason,
                evidence=evidence,
                status=APPEAL_PENDING,
                requested_by=principal.subject,
                created_at=self.now(),
            )
            session.add(appeal)
            session.flush()
            session.expunge(appeal)
        return appeal

    def decide(self, principal: Principal, appeal_id: str, approve: bool, decision: str) -> Appeal:
        """A tenant admin's decision; approved excludes the rating and withdraws its rectification."""
        decision = text_of(decision, 2, 500, "decision", "请填写审核意见（2 至 500 字）。")
        now = self.now()
        with self.db.transaction() as session:
            appeal = session.get(Appeal, appeal_id, with_for_update=True)
            if appeal is None or not (authz.in_scope(principal, appeal.tenant, appeal.dept)):
                raise NotFound("未找到该申诉。", code="EVALUATION_NOT_FOUND")
            if not tenancy.administers(principal, appeal.tenant):
                raise PermissionDenied(
                    "申诉由本级政务服务管理部门（租户管理员）审核。", message_en="tenant admins only"
                )
            if appeal.status != APPEAL_PENDING:
                raise FailedPrecondition("该申诉已审核。", code="EVALUATION_STATE")
            appeal.status = APPEAL_APPROVED if approve else APPEAL_REJECTED
            appeal.decided_by, appeal.decision, appeal.decided_at = principal.subject, decision, now
            rating = session.get(Rating, appeal.rating_id, with_for_update=True)
            assert rating is not None
            if approve:
                rating.excluded, rating.excluded_reason = True, decision[:200]
                queue_push(session, rating, now)  # re-reported to the province as excluded, a new revision
                self.rectifications.withdraw(session, rating.id, now)
            event = events_pb2.AppealDecided(
                appeal_id=appeal.id,
                rating_id=rating.id,
                case_no=rating.case_no,
                tenant=appeal.tenant,
                dept=appeal.dept,
                approved=approve,
            )
            publish(session, event, key=rating.case_no or rating.visit_id, tenant=appeal.tenant)
            session.flush()
            session.expunge(appeal)
        return appeal

    def visible(self, principal: Principal, pending_only: bool = False) -> list[tuple[Appeal, Rating]]:
        """The appeals of the caller's department, or of the tenants they supervise, newest first."""
        authz.require_department_staff(principal)
        statement = select(Appeal, Rating).join(Rating, Rating.id == Appeal.rating_id)
        if pending_only:
            statement = statement.where(Appeal.status == APPEAL_PENDING)
        with self.db.transaction() as session:
            found = [
                (appeal, rating)
                for appeal, rating in session.execute(statement.order_by(Appeal.created_at.desc()).limit(500))
                if authz.in_scope(principal, appeal.tenant, appeal.dept)
            ]
            session.expunge_all()
        return found
