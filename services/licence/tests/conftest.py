"""A licence database on SQLite with one licence issued to 张三 by 锦江区市场监督管理局."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences
from ywtb.licence.models import AUTOMATIC
from ywtb.licence.seal_store import SealStore

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
DEPT = "11510104MB2C394793"
SECRET = "unit-test-licence-secret-0123456789"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
APPROVER = Principal(subject="approver-1", tenant="510104", dept=DEPT, roles=frozenset({"approver"}))
HOLDER = Principal(subject="citizen-1", tenant="510104", roles=frozenset({"citizen"}))
OTHER = Principal(subject="citizen-2", tenant="510104", roles=frozenset({"citizen"}))


@dataclass
class Issued:
    """The database, its parts, the licence issued and a clock the test moves."""

    db: Database
    seals: SealStore
    licences: Licences
    identifier: str
    clock: dict[str, datetime]

    def now(self) -> datetime:
        """The test's time."""
        return self.clock["now"]


@pytest.fixture
def issued(sqlite_url: str) -> Issued:
    """One licence, 营业执照 of 张三 (a citizen), issued at NOW."""
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    db = Database(sqlite_url)
    seals = SealStore(SECRET)
    licences = Licences(seals, PiiKeys.from_secret(SECRET, "licence"))
    kind = LicenceTypes(db, clock=lambda: NOW).define(
        ADMIN, LicenceTypeDraft("营业执照", (), 0, "", AUTOMATIC)
    )
    order = IssueOrder(
        case_no="C-1",
        tenant="510104",
        licence_type=kind,
        issuer=DEPT,
        issuer_name="成都市锦江区市场监督管理局",
        holder_name="张三",
        holder_code_type="111",
        holder_code="11010519491231002X",
        owner="citizen-1",
    )
    with db.transaction() as session:
        identifier = licences.issue(session, order, NOW).identifier
    return Issued(db, seals, licences, identifier, {"now": NOW})
