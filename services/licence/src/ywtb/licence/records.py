"""Records: create one with its reply deadline in working days, read one, mark the overdue ones.

Each use case owns its transaction; its events go to the outbox in that transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ywtb.api.licence.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import WorkCalendar, national_calendar
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, NotFound
from ywtb.licence import authz
from ywtb.licence.events import publish
from ywtb.licence.models import OPEN, OVERDUE, Record


class Records(Clocked):
    """The record use cases."""

    def __init__(
        self,
        db: Database,
        *,
        reply_workdays: int = 5,
        clock: Clock = utc_now,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self.db = db
        self.reply_workdays = reply_workdays
        self.clock = clock
        self.calendar = calendar or national_calendar()

    def create(self, principal: Principal, title: str) -> Record:
        """A record in the caller's tenant and department, due in reply_workdays working days; RecordCreated."""
        authz.require_department_staff(principal)
        title = title.strip()
        if not 1 <= len(title) <= 200:
            raise InvalidArgument(
                "请填写标题（1 至 200 个字）。", message_en="title must have 1-200 characters"
            )
        now = self.now()
        with self.db.transaction() as session:
            record = Record(
                id=uuid.uuid4().hex,
                tenant=principal.tenant,
                dept=principal.dept,
                title=title,
                created_by=principal.subject,
                created_at=now,
                reply_by=utc(self.calendar.deadline(now, self.reply_workdays)),  # stored instants are UTC
                status=OPEN,
            )
            session.add(record)
            event = events_pb2.RecordCreated(
                id=record.id, tenant=record.tenant, dept=record.dept, title=title
            )
            publish(session, event, key=record.id, tenant=record.tenant)
            session.flush()
            session.expunge(record)
        return record

    def get(self, principal: Principal, record_id: str) -> Record:
        """One record, to those authz.require_read admits."""
        with self.db.transaction() as session:
            record = session.get(Record, record_id)
            if record is None:
                raise NotFound("未找到该记录，请核对记录编号。", message_en=f"no record {record_id!r}")
            authz.require_read(principal, record.tenant, record.dept)
            session.expunge(record)
        return record

    def mark_overdue(self, limit: int = 500) -> int:
        """One round of the overdue worker: open records past reply_by become overdue (RecordOverdue each)."""
        now = self.now()
        with self.db.transaction() as session:
            due = session.scalars(
                select(Record).where(Record.status == OPEN).order_by(Record.reply_by).limit(limit)
            ).all()
            late = [r for r in due if utc(r.reply_by) < now]  # SQLite returns naive instants
            for record in late:
                record.status = OVERDUE
                event = events_pb2.RecordOverdue(id=record.id, tenant=record.tenant, dept=record.dept)
                publish(session, event, key=record.id, tenant=record.tenant)
        return len(late)
