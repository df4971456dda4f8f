"""Records on SQLite: who may create and read them, and the event staged with each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ywtb.api.licence.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, NotFound, PermissionDenied
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.licence.models import OPEN, OVERDUE, outbox
from ywtb.licence.records import Records

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wednesday before 国庆节 2026 (10-01 … 10-07 off)
DEPT = "11510104MB3234567X"
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))
COLLEAGUE = Principal(subject="clerk-2", tenant="510104", dept=DEPT, roles=frozenset({"approver"}))
OTHER_DEPT = Principal(
    subject="clerk-3", tenant="510104", dept="11510104MB4234567Y", roles=frozenset({"approver"})
)
CITY_SUPERVISOR = Principal(subject="sup-1", tenant="510100", roles=frozenset({"supervisor"}))
OTHER_COUNTY = Principal(subject="sup-2", tenant="510105", roles=frozenset({"supervisor"}))
CITIZEN = Principal(subject="p-1", tenant="510104", roles=frozenset({"citizen"}))


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def records(sqlite_url: str, clock: Clock) -> Records:
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    return Records(Database(sqlite_url), reply_workdays=5, clock=clock)


def test_staff_create_a_record_and_its_event_is_staged(records: Records) -> None:
    record = records.create(CLERK, " 第一条记录 ")
    assert (record.tenant, record.dept, record.title, record.created_by) == (
        "510104",
        DEPT,
        "第一条记录",
        "clerk-1",
    )
    with records.db.transaction() as session:
        rows = session.execute(select(outbox)).mappings().all()
    assert [(r["topic"], r["key"]) for r in rows] == [("ywtb.licence.record.v1", record.id)]
    assert rows[0]["ce_type"].endswith(events_pb2.RecordCreated.DESCRIPTOR.name)


def test_the_reply_deadline_counts_working_days_over_the_holiday(records: Records) -> None:
    record = records.create(CLERK, "记录")
    # Five weekdays from 09-30 would end on 10-07; 国庆节 moves five working days past 10-08.
    assert utc(record.reply_by).date() > date(2026, 10, 8)
    assert record.status == OPEN


def test_the_overdue_round_marks_each_late_record_once(records: Records, clock: Clock) -> None:
    record = records.create(CLERK, "记录")
    assert records.mark_overdue() == 0
    clock.now = utc(record.reply_by) + timedelta(seconds=1)
    assert records.mark_overdue() == 1
    assert records.mark_overdue() == 0
    assert records.get(CLERK, record.id).status == OVERDUE
    with records.db.transaction() as session:
        types = [r["ce_type"] for r in session.execute(select(outbox).order_by(outbox.c.seq)).mappings()]
    assert [t.rsplit(".", 1)[-1] for t in types] == ["RecordCreated", "RecordOverdue"]


def test_the_department_and_upward_supervisors_read_it(records: Records) -> None:
    record = records.create(CLERK, "记录")
    assert records.get(COLLEAGUE, record.id).title == "记录"
    assert records.get(CITY_SUPERVISOR, record.id).id == record.id


@pytest.mark.parametrize("stranger", [OTHER_DEPT, OTHER_COUNTY, CITIZEN])
def test_others_are_refused(records: Records, stranger: Principal) -> None:
    record = records.create(CLERK, "记录")
    with pytest.raises(PermissionDenied):
        records.get(stranger, record.id)


def test_citizens_cannot_create_and_titles_are_checked(records: Records) -> None:
    with pytest.raises(PermissionDenied):
        records.create(CITIZEN, "记录")
    with pytest.raises(InvalidArgument):
        records.create(CLERK, "  ")
    with pytest.raises(NotFound):
        records.get(CLERK, "missing")
