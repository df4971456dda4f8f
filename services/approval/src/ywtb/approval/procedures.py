"""特别程序 (clock stops: hearing, testing, expert review) and 延长期限 (extension), 行政许可法第四十二、四十五条."""

from __future__ import annotations

from sqlalchemy import select

from ywtb.approval import events
from ywtb.approval.core import ApprovalCore, CaseView, optimistic
from ywtb.approval.deadlines import (
    as_stops,
    close_open_stops,
    extended_deadline,
    instance_deadline,
    max_extension_days,
    step_deadline,
)
from ywtb.approval.models import COMPLETED, OPEN, RUNNING, SUSPENDED, ClockStopRow, Task
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.errors import FailedPrecondition, InvalidArgument


class Procedures(ApprovalCore):
    """Suspending and resuming a case's clock, extending its deadline."""

    def suspend_case(self, principal: Principal, case_no: str, kind: str, reason: str) -> CaseView:
        """特别程序开始: the clock stops from now (行政许可法第四十五条: the applicant is told in writing)."""
        kind, reason = (kind or "").strip(), (reason or "").strip()
        if not kind or not reason:
            raise InvalidArgument(
                "启动特别程序须写明程序种类（如听证、检验检测、专家评审）和理由。",
                fields={k: "必填" for k, v in (("kind", kind), ("reason", reason)) if not v},
            )
        with self.db.transaction() as session, optimistic():
            instance = self.case_for(session, principal, case_no, actor=True)
            self.check_running(instance)
            now = self.now()
            stop = ClockStopRow(
                case_no=case_no,
                tenant=instance.tenant,
                kind=kind,
                reason=reason,
                started_at=now,
                started_by=principal.subject,
            )
            session.add(stop)
            instance.status = SUSPENDED
            session.flush()
            stops = self.stops_of(session, case_no)
            events.stage(session, events.case_suspended(instance, stop, self.facts(instance, stops, now)))
            return self.view(session, instance, now)

    def resume_case(self, principal: Principal, case_no: str, result: str = "") -> CaseView:
        """特别程序结束: the clock runs again; case and step deadlines move by the stopped working days."""
        with self.db.transaction() as session, optimistic():
            instance = self.case_for(session, principal, case_no, actor=True)
            if instance.status != SUSPENDED:
                raise FailedPrecondition("该办件不在特别程序中，无需恢复计时。", code="CASE_NOT_SUSPENDED")
            now = self.now()
            stops = self.stops_of(session, case_no)
            stop = next(row for row in stops if row.ended_at is None)
            stop.ended_at, stop.ended_by, stop.result = now, principal.subject, (result or "").strip()
            instance.status = RUNNING
            closed = as_stops(stops)
            instance.case_deadline = utc(instance_deadline(instance, closed, self.calendar))
            for task in session.scalars(select(Task).where(Task.case_no == case_no, Task.status == OPEN)):
                task.step_deadline = utc(
                    step_deadline(utc(task.started_at), task.step_days, closed, calendar=self.calendar)
                )
            session.flush()
            events.stage(session, events.case_resumed(instance, stop, self.facts(instance, stops, now)))
            return self.view(session, instance, now)

    def extend_deadline(self, principal: Principal, case_no: str, reason: str) -> CaseView:
        """延长期限 (行政许可法第四十二条): once, by 10 working days (15 for joint handling), with a reason."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidArgument("延长办理期限须写明理由，并告知申请人。", fields={"reason": "必填"})
        with self.db.transaction() as session, optimistic():
            instance = self.case_for(session, principal, case_no, actor=True)
            if instance.status == COMPLETED:
                raise FailedPrecondition("该办件已办结，不能延长期限。", code="CASE_COMPLETED")
            if instance.extension_days:
                raise FailedPrecondition(
                    "该办件已延长过一次办理期限，依法不能再次延长。", code="ALREADY_EXTENDED"
                )
            now = self.now()
            stops = self.stops_of(session, case_no)
            days = max_extension_days(joint=instance.joint)
            instance.case_deadline = utc(
                extended_deadline(
                    utc(instance.accepted_at),
                    instance.promised_days,
                    days,
                    close_open_stops(as_stops(stops), now),
                    joint=instance.joint,
                    calendar=self.calendar,
                )
            )
            instance.extension_days, instance.extension_reason = days, reason
            session.flush()
            facts = self.facts(instance, stops, now)
            events.stage(session, events.case_deadline_extended(instance, reason, facts))
            return self.view(session, instance, now)
