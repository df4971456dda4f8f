"""对账差异: each disagreement between the platform and the orders reported once (PaymentMismatch) and kept for
a finance clerk, who resolves it with a reason; none is ever deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.api.payment.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import local_date
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, NotFound
from ywtb.payment import authz
from ywtb.payment.events import publish
from ywtb.payment.models import OPEN_MISMATCH, RESOLVED, Mismatch, PaymentOrder
from ywtb.payment.reasons import reason_of


def report(
    session: Session,
    kind: str,
    notice_no: str,
    order: PaymentOrder | None,
    platform_fen: int,
    now: datetime,
) -> bool:
    """Record a mismatch and publish it, once per kind and notice; False when it was reported already."""
    if session.scalar(select(Mismatch.id).where(Mismatch.kind == kind, Mismatch.notice_no == notice_no)):
        return False
    mismatch = Mismatch(
        day=local_date(now),
        kind=kind,
        notice_no=notice_no,
        order_no=order.order_no if order else "",
        tenant=order.tenant if order else "",
        dept=order.dept if order else "",
        expected_fen=order.total_fen if order else 0,
        platform_fen=platform_fen,
        status=OPEN_MISMATCH,
        found_at=now,
    )
    session.add(mismatch)
    event = events_pb2.PaymentMismatch(
        order_no=mismatch.order_no,
        tenant=mismatch.tenant,
        dept=mismatch.dept,
        case_no=order.case_no if order else "",
        kind=kind,
        notice_no=notice_no,
        expected_fen=mismatch.expected_fen,
        platform_fen=platform_fen,
    )
    publish(session, event, key=mismatch.order_no or notice_no, tenant=mismatch.tenant or "000000")
    session.flush()
    return True


def resolve_found(
    session: Session, kind: str, notice_no: str, reason: str, actor: str, now: datetime
) -> None:
    """Resolve the open mismatch of this kind and notice, if any, by a decision taken on the order."""
    mismatch = session.scalar(
        select(Mismatch).where(Mismatch.kind == kind, Mismatch.notice_no == notice_no).with_for_update()
    )
    if mismatch is not None and mismatch.status == OPEN_MISMATCH:
        mismatch.status, mismatch.resolution = RESOLVED, reason
        mismatch.resolved_by, mismatch.resolved_at = actor, now


class Mismatches(Clocked):
    """The reconciliation report a finance clerk works through."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def report_of(self, principal: Principal, status: str = "", days: int = 31) -> list[Mismatch]:
        """The mismatches of the caller's department (or tenants), newest first, of the last `days` days."""
        since = local_date(self.now()) - timedelta(days=days)
        statement = select(Mismatch).where(Mismatch.day >= since).order_by(Mismatch.found_at.desc())
        if status:
            statement = statement.where(Mismatch.status == status)
        with self.db.transaction() as session:
            found = [m for m in session.scalars(statement.limit(500)) if authz.may_reconcile(principal, m)]
            session.expunge_all()
        return found

    def resolve(self, principal: Principal, mismatch_id: int, reason: str) -> Mismatch:
        """Close an open mismatch with the clerk's reason (2-200 characters)."""
        reason = reason_of(reason, "请填写处理说明（2 至 200 字），例如已核实退款或已补记收款。")
        with self.db.transaction() as session:
            mismatch = session.get(Mismatch, mismatch_id, with_for_update=True)
            if mismatch is None or not authz.may_reconcile(principal, mismatch):
                raise NotFound("未找到该对账差异。", code="PAYMENT_MISMATCH_NOT_FOUND")
            if mismatch.status != OPEN_MISMATCH:
                raise FailedPrecondition("该对账差异已处理。", code="PAYMENT_MISMATCH_RESOLVED")
            mismatch.status, mismatch.resolution = RESOLVED, reason
            mismatch.resolved_by, mismatch.resolved_at = principal.subject, self.now()
            session.flush()
            session.expunge(mismatch)
        return mismatch
