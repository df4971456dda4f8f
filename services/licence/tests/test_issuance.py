"""The issuance round on SQLite: approved cases tracked once, issued automatically, left to the clerk,
skipped when the result is no licence, retried while a peer is down, and their 10-working-day due day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ywtb.api.approval.v1 import events_pb2 as approval_events
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.api.payment.v1 import events_pb2 as payment_events
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import Unavailable
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.common.timestamps import timestamp
from ywtb.licence.issuance import Issuances
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import Licences
from ywtb.licence.models import (
    AUTOMATIC,
    AWAITING_CLERK,
    AWAITING_PAYMENT,
    ISSUED,
    MANUAL,
    NOT_A_LICENCE,
    PENDING,
    Issuance,
    Licence,
)
from ywtb.licence.seal_store import SealStore

APPROVED_AT = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tue 29 Sep 2026, 10:00 Beijing
DEPT = "11510104MB2C394793"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
SECRET = "unit-test-licence-secret-0123456789"


class Facts:
    """The case facts the round reads, as intake and the catalogue would answer."""

    def __init__(self) -> None:
        self.result = catalog_pb2.Result(
            name="营业执照", type=catalog_pb2.RESULT_TYPE_LICENCE, licence_type="营业执照"
        )
        self.form = {"business_scope": "小吃服务"}
        self.down = False
        self.pay_before_licence = False

    def holder(self, case_no: str, fields: list[str]) -> intake_pb2.GetCaseHolderResponse:
        if self.down:
            raise Unavailable()
        return intake_pb2.GetCaseHolderResponse(
            case_no=case_no,
            tenant="510104",
            dept=DEPT,
            dept_name="成都市锦江区市场监督管理局",
            item_id="item-1",
            item_version=3,
            holder_name="张三",
            holder_code_type="111",
            holder_code="11010519491231002X",
            owner="citizen-1",
            values={k: v for k, v in self.form.items() if k in fields},
        )

    def guide(self, item_id: str, version: int) -> catalog_pb2.Guide:
        assert (item_id, version) == ("item-1", 3)
        return catalog_pb2.Guide(result=self.result, pay_before_licence=self.pay_before_licence)


@pytest.fixture
def facts() -> Facts:
    return Facts()


@pytest.fixture
def world(sqlite_url: str, facts: Facts):  # type: ignore[no-untyped-def]
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    db = Database(sqlite_url)
    licences = Licences(SealStore(SECRET), PiiKeys.from_secret(SECRET, "licence"))
    source = type("Source", (), {"holder": staticmethod(facts.holder), "guide": staticmethod(facts.guide)})()
    clock = {"now": APPROVED_AT}
    issuances = Issuances(db, licences, source, clock=lambda: clock["now"])
    return db, issuances, LicenceTypes(db, clock=lambda: APPROVED_AT), clock


def _approve(db: Database, issuances: Issuances, case_no: str = "C-1") -> bool:
    approved = approval_events.CaseApproved(
        case_no=case_no, tenant="510104", dept=DEPT, item_id="item-1", approved_at=timestamp(APPROVED_AT)
    )
    with db.transaction() as session:
        return issuances.record_approved(session, approved)


def _issuance(db: Database, case_no: str = "C-1") -> Issuance:
    with db.transaction() as session:
        found = session.get(Issuance, (case_no, "item-1"))
        assert found is not None
        session.expunge(found)
    return found


def test_an_approved_case_is_tracked_once_with_its_due_day_in_working_days(world) -> None:  # type: ignore[no-untyped-def]
    db, issuances, _types, _clock = world
    assert _approve(db, issuances) is True and _approve(db, issuances) is False
    # 10 working days after Tue 29 Sep: 30 Sep, (National Day 1-7 Oct), 8, 9, Sat 10 (调休), 12-16, 19 Oct.
    issuance = _issuance(db)
    assert (issuance.status, issuance.due_on) == (PENDING, date(2026, 10, 19))


def test_an_automatic_type_is_issued_from_the_form(world) -> None:  # type: ignore[no-untyped-def]
    db, issuances, types, _clock = world
    types.define(
        ADMIN, LicenceTypeDraft("营业执照", (("business_scope", "经营范围", True),), 0, "", AUTOMATIC)
    )
    _approve(db, issuances)
    assert issuances.run_round() == 1
    issuance = _issuance(db)
    assert issuance.status == ISSUED and issuance.identifier.startswith("1.2.156.3005.2.")
    with db.transaction() as session:
        licence = session.get(Licence, issuance.identifier)
        assert licence is not None
        assert (licence.holder_name, licence.fields, licence.owner) == (
            "张三",
            {"business_scope": "小吃服务"},
            "citizen-1",
        )
    assert issuances.run_round() == 0


def test_a_licence_issued_once_paid_waits_for_the_fees(world, facts) -> None:  # type: ignore[no-untyped-def]
    db, issuances, types, _clock = world
    types.define(
        ADMIN, LicenceTypeDraft("营业执照", (("business_scope", "经营范围", True),), 0, "", AUTOMATIC)
    )
    facts.pay_before_licence = True
    _approve(db, issuances)
    issuances.run_round()
    assert _issuance(db).status == AWAITING_PAYMENT
    assert issuances.run_round() == 0  # not retried while unpaid
    paid = payment_events.PaymentPaid(
        case_no="C-1", order_no="PO-1", paid_fen=1000, paid_at=timestamp(APPROVED_AT)
    )
    with db.transaction() as session:
        issuances.record_paid(session, paid)
        issuances.record_paid(session, paid)  # a redelivered event adds nothing
    assert issuances.run_round() == 1 and _issuance(db).status == ISSUED
    _approve(db, issuances, "C-2")  # paid before its approval (charged after acceptance)
    with db.transaction() as session:
        issuances.record_paid(
            session, payment_events.PaymentPaid(case_no="C-2", order_no="PO-2", paid_fen=1000)
        )
    assert issuances.run_round() == 1 and _issuance(db, "C-2").status == ISSUED


def test_a_manual_type_or_a_field_the_form_lacks_waits_for_the_clerk(world, facts) -> None:  # type: ignore[no-untyped-def]
    db, issuances, types, _clock = world
    types.define(ADMIN, LicenceTypeDraft("营业执照", (("capital", "注册资本", True),), 0, "", AUTOMATIC))
    types.define(ADMIN, LicenceTypeDraft("食品经营许可证", (), 60, "", MANUAL))
    _approve(db, issuances, "C-1")
    issuances.run_round()
    assert (_issuance(db, "C-1").status, _issuance(db, "C-1").last_error) == (
        AWAITING_CLERK,
        "请填写证照字段：注册资本。",
    )
    facts.result = catalog_pb2.Result(
        name="许可证", type=catalog_pb2.RESULT_TYPE_LICENCE, licence_type="食品经营许可证"
    )
    _approve(db, issuances, "C-2")
    issuances.run_round()
    assert _issuance(db, "C-2").status == AWAITING_CLERK
    with db.transaction() as session:
        assert session.scalars(select(Licence)).all() == []


def test_a_result_that_is_no_licence_issues_nothing(world, facts) -> None:  # type: ignore[no-untyped-def]
    db, issuances, _types, _clock = world
    facts.result = catalog_pb2.Result(name="批复", type=catalog_pb2.RESULT_TYPE_APPROVAL_DOCUMENT)
    _approve(db, issuances)
    issuances.run_round()
    assert _issuance(db).status == NOT_A_LICENCE


def test_a_peer_down_or_a_type_not_yet_defined_is_retried_with_backoff(world, facts) -> None:  # type: ignore[no-untyped-def]
    db, issuances, types, clock = world
    _approve(db, issuances)
    facts.down = True
    assert issuances.run_round() == 0
    first = _issuance(db)
    assert (first.status, first.attempts) == (PENDING, 1) and first.next_at is not None
    assert issuances.run_round() == 0 and _issuance(db).attempts == 1  # not due again yet
    facts.down = False
    clock["now"] = APPROVED_AT.replace(minute=5)
    issuances.run_round()  # no 营业执照 type in the catalogue yet
    assert (_issuance(db).status, _issuance(db).attempts) == (PENDING, 2)
    types.define(ADMIN, LicenceTypeDraft("营业执照", (), 0, "", AUTOMATIC))
    clock["now"] = APPROVED_AT.replace(minute=10)
    assert issuances.run_round() == 1 and _issuance(db).status == ISSUED


def test_overdue_issuances_are_those_past_their_due_day(world) -> None:  # type: ignore[no-untyped-def]
    db, issuances, _types, _clock = world
    _approve(db, issuances)
    assert issuances.overdue(datetime(2026, 10, 19, 15, 0, tzinfo=UTC)) == []  # 23:00 on the due day
    assert [i.case_no for i in issuances.overdue(datetime(2026, 10, 19, 16, 1, tzinfo=UTC))] == ["C-1"]


def test_the_issuing_clerk_sees_what_waits_and_issues_it_with_the_fields(world, facts) -> None:  # type: ignore[no-untyped-def]
    from ywtb.common.errors import FailedPrecondition, PermissionDenied
    from ywtb.licence.issuing_desk import IssuingDesk

    db, issuances, types, _clock = world
    types.define(ADMIN, LicenceTypeDraft("营业执照", (("capital", "注册资本", True),), 0, "", AUTOMATIC))
    _approve(db, issuances)
    issuances.run_round()
    desk = IssuingDesk(issuances)
    clerk = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))
    other = Principal(
        subject="clerk-2", tenant="510105", dept="11510105MB1D571236", roles=frozenset({"window_clerk"})
    )
    waiting = desk.open_issuances(clerk)
    assert [(e.issuance.case_no, e.licence_type.name if e.licence_type else "") for e in waiting] == [
        ("C-1", "营业执照")
    ]
    assert desk.open_issuances(other) == []
    with pytest.raises(PermissionDenied):
        desk.issue(other, "C-1", "item-1", {"capital": "10 万元"})
    with pytest.raises(PermissionDenied):
        desk.open_issuances(ADMIN)
    licence = desk.issue(clerk, "C-1", "item-1", {"capital": "10 万元"})
    assert licence.fields == {"capital": "10 万元"}
    assert _issuance(db).status == ISSUED and desk.open_issuances(clerk) == []
    with pytest.raises(FailedPrecondition):
        desk.issue(clerk, "C-1", "item-1", {"capital": "10 万元"})
