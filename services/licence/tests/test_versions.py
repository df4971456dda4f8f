"""New versions on SQLite: a change keeps the validity, a renewal restarts it; the old version is
superseded (its verification says so), only the current valid one changes, only its issuer changes it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.licence.identifiers import parse_identifier
from ywtb.licence.licence_file import identifier_of_pdf
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences
from ywtb.licence.models import AUTOMATIC, SUPERSEDED, VALID, Licence
from ywtb.licence.revocation import Revocations
from ywtb.licence.seal_store import SealStore
from ywtb.licence.verification import Verifier
from ywtb.licence.versions import Versions

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
LATER = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
DEPT = "11510104MB2C394793"
SECRET = "unit-test-licence-secret-0123456789"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
APPROVER = Principal(subject="approver-1", tenant="510104", dept=DEPT, roles=frozenset({"approver"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))


@pytest.fixture
def world(sqlite_url: str):  # type: ignore[no-untyped-def]
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    db = Database(sqlite_url)
    seals = SealStore(SECRET)
    licences = Licences(seals, PiiKeys.from_secret(SECRET, "licence"))
    draft = LicenceTypeDraft("食品经营许可证", (("business_items", "经营项目", True),), 60, "", AUTOMATIC)
    kind = LicenceTypes(db, clock=lambda: NOW).define(ADMIN, draft)
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
        values={"business_items": "热食类食品制售"},
    )
    with db.transaction() as session:
        first = licences.issue(session, order, NOW)
        session.expunge(first)
    versions = Versions(db, licences, clock=lambda: LATER)
    verifier = Verifier(db, licences, seals, clock=lambda: LATER)
    return db, first, versions, verifier, Revocations(db, seals, clock=lambda: LATER), licences


def test_a_change_keeps_the_validity_and_supersedes_the_old_version(world) -> None:  # type: ignore[no-untyped-def]
    db, first, versions, verifier, _revocations, licences = world
    with pytest.raises(PermissionDenied):
        versions.reissue(CLERK, first.identifier, "change", {"business_items": "冷食类"})
    with pytest.raises(InvalidArgument):
        versions.reissue(APPROVER, first.identifier, "change", {})
    second = versions.reissue(
        APPROVER, first.identifier, "change", {"business_items": "热食类、冷食类食品制售"}
    )
    old, new = parse_identifier(first.identifier), parse_identifier(second.identifier)
    assert (new.serial, new.version, old.version) == (old.serial, 2, 1)
    assert (second.licence_no, second.valid_until, second.issued_on) == (
        first.licence_no,
        first.valid_until,
        date(2027, 3, 1),
    )
    assert (
        second.fields == {"business_items": "热食类、冷食类食品制售"}
        and identifier_of_pdf(second.file) == second.identifier
    )
    assert licences.holder_code(second) == "11010519491231002X"
    with db.transaction() as session:
        statuses = {lic.version: lic.status for lic in session.query(Licence)}
    assert statuses == {1: SUPERSEDED, 2: VALID}
    stale = verifier.by_identifier(first.identifier)
    assert [c.name for c in stale.checks if not c.passed] == ["superseded"]
    assert verifier.by_identifier(second.identifier).valid
    with pytest.raises(FailedPrecondition):
        versions.reissue(APPROVER, first.identifier, "change", {"business_items": "冷食类"})


def test_a_renewal_restarts_the_validity_and_a_revoked_licence_is_not_renewed(world) -> None:  # type: ignore[no-untyped-def]
    _db, first, versions, _verifier, revocations, _licences = world
    renewed = versions.reissue(ADMIN, first.identifier, "renew", {})
    assert (renewed.valid_from, renewed.valid_until) == (date(2027, 3, 1), date(2032, 2, 29))
    revocations.revoke(APPROVER, renewed.identifier, "error", "证照信息填写错误")
    with pytest.raises(FailedPrecondition) as caught:
        versions.reissue(ADMIN, renewed.identifier, "renew", {})
    assert caught.value.code == "LICENCE_NOT_CURRENT"
    with pytest.raises(InvalidArgument):
        versions.reissue(ADMIN, renewed.identifier, "extend", {})
