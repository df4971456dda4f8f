"""Evaluation unit tests' world on SQLite: a moved clock, the holder intake would give, the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.evaluation.appeals import Appeals
from ywtb.evaluation.indicators import Indicators
from ywtb.evaluation.inquiries import Inquiries
from ywtb.evaluation.rateables import Rateables
from ywtb.evaluation.ratings import Ratings
from ywtb.evaluation.reads import Reads
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.tenant_settings import TenantRules
from ywtb.evaluation.visits import Visits

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 Wednesday before 国庆节 2026 (10-01 … 10-07 off)
DEPT = "11510104MB3234567X"
CITIZEN = Principal(subject="citizen-1", tenant="510104", roles=frozenset({"citizen"}))
STRANGER = Principal(subject="citizen-2", tenant="510104", roles=frozenset({"citizen"}))
CLERK = Principal(
    subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}), name="李窗口"
)
DEPT_ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
OTHER_CLERK = Principal(
    subject="clerk-9", tenant="510104", dept="11510104MB4234567Y", roles=frozenset({"window_clerk"})
)
TENANT_ADMIN = Principal(subject="tadmin-1", tenant="510104", roles=frozenset({"tenant_admin"}))
CITY_SUPERVISOR = Principal(subject="sup-1", tenant="510100", roles=frozenset({"supervisor"}))


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Facts:
    """What intake says of a case's holder."""

    def __init__(self) -> None:
        self.down = False

    def holder(self, case_no: str, fields: list[str]) -> intake_pb2.GetCaseHolderResponse:
        if self.down:
            raise ConnectionError("intake down")
        return intake_pb2.GetCaseHolderResponse(
            case_no=case_no,
            tenant="510104",
            dept=DEPT,
            dept_name="成都市锦江区市场监督管理局",
            owner="citizen-1",
            holder_name="张三",
            item_name="个体工商户设立登记",
        )

    def guide(self, item_id: str, version: int):  # type: ignore[no-untyped-def]
        raise AssertionError("the evaluation service reads no guide")

    def item(self, item_id: str) -> catalog_pb2.GuideVersion:
        return catalog_pb2.GuideVersion(
            item_id=item_id,
            tenant="510104",
            dept=DEPT,
            dept_name="成都市锦江区市场监督管理局",
            guide=catalog_pb2.Guide(name="个体工商户设立登记"),
        )


@dataclass
class World:
    """The use cases on one database and clock."""

    db: Database
    clock: Clock
    facts: Facts
    rectifications: Rectifications
    rateables: Rateables
    ratings: Ratings
    reads: Reads
    appeals: Appeals
    rules: TenantRules
    indicators: Indicators
    inquiries: Inquiries
    visits: Visits

    def complete(self, case_no: str = "C-1", tenant: str = "510104", dept: str = DEPT) -> None:
        """The case completed (as the consumer notes it) and its holder read."""
        with self.db.transaction() as session:
            self.rateables.reach(session, (case_no, tenant, dept, "item-1"), "completion", self.clock.now)
        self.rateables.holder_round()


@pytest.fixture
def world(sqlite_url: str) -> World:
    upgrade(script_location_of("ywtb.evaluation"), sqlite_url)
    db, clock, facts = Database(sqlite_url), Clock(), Facts()
    rectifications = Rectifications(db, clock=clock)
    rateables = Rateables(db, facts, rectifications, clock=clock)
    ratings = Ratings(db, rectifications, clock=clock)
    return World(
        db=db,
        clock=clock,
        facts=facts,
        rectifications=rectifications,
        rateables=rateables,
        ratings=ratings,
        reads=Reads(db, rateables, rectifications),
        appeals=Appeals(db, rectifications, clock=clock),
        rules=TenantRules(db, clock=clock),
        indicators=Indicators(db, clock=clock),
        inquiries=Inquiries(db, facts, clock=clock),
        visits=Visits(db, facts, rectifications, clock=clock),
    )
