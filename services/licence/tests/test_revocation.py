"""Revocation on SQLite: only the issuing department's approvers and admins, with a reason, once; the
verification then fails its revoked check; the issuer's status list is signed with its seal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences
from ywtb.licence.models import AUTOMATIC, REVOKED, outbox
from ywtb.licence.revocation import Revocations, status_list_bytes
from ywtb.licence.seal_store import SealStore
from ywtb.licence.seals import verify
from ywtb.licence.verification import Verifier

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 10, 12, 3, 0, tzinfo=UTC)
DEPT = "11510104MB2C394793"
OTHER_DEPT = "11510105MB1D571236"
SECRET = "unit-test-licence-secret-0123456789"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
APPROVER = Principal(subject="approver-1", tenant="510104", dept=DEPT, roles=frozenset({"approver"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))
OTHER_APPROVER = Principal(
    subject="approver-2", tenant="510105", dept=OTHER_DEPT, roles=frozenset({"approver"})
)


@pytest.fixture
def world(sqlite_url: str):  # type: ignore[no-untyped-def]
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
    revocations = Revocations(db, seals, clock=lambda: LATER)
    return db, identifier, revocations, Verifier(db, licences, seals, clock=lambda: LATER)


def test_the_issuing_department_revokes_with_a_reason_and_verification_says_so(world) -> None:  # type: ignore[no-untyped-def]
    db, identifier, revocations, verifier = world
    for someone in (CLERK, OTHER_APPROVER):
        with pytest.raises(PermissionDenied):
            revocations.revoke(someone, identifier, "promise_false", "经核查，经营场所承诺不实")
    for kind, reason in (("", "经核查承诺不实"), ("promise_false", "无")):
        with pytest.raises(InvalidArgument) as caught:
            revocations.revoke(APPROVER, identifier, kind, reason)
        assert caught.value.code == "LICENCE_REVOKE_INVALID"
    assert verifier.by_identifier(identifier).valid

    revoked = revocations.revoke(APPROVER, identifier, "promise_false", "经核查，经营场所承诺不实")
    assert (revoked.status, revoked.revoked_by, revoked.revoke_kind) == (
        REVOKED,
        "approver-1",
        "promise_false",
    )
    with pytest.raises(FailedPrecondition):
        revocations.revoke(ADMIN, identifier, "other", "重复注销")
    answer = verifier.by_identifier(identifier)
    failed = [c for c in answer.checks if not c.passed]
    assert [(c.name, c.detail) for c in failed] == [("revoked", "证照已于 2026-10-12 注销")]
    with db.transaction() as session:
        rows = session.execute(select(outbox.c.ce_type, outbox.c.payload)).all()
    event = [json.loads(r.payload) for r in rows if r.ce_type == "ywtb.licence.v1.LicenceRevoked"]
    assert event == [
        {
            "identifier": identifier,
            "tenant": "510104",
            "issuer": DEPT,
            "typeCode": f"{DEPT}001",
            "kind": "promise_false",
            "revokedAt": "2026-10-12T03:00:00Z",
        }
    ]


def test_the_status_list_is_signed_by_the_issuer_and_lists_its_revocations(world) -> None:  # type: ignore[no-untyped-def]
    _db, identifier, revocations, _verifier = world
    empty = revocations.status_list(DEPT)
    assert empty.revoked == ()
    revocations.revoke(APPROVER, identifier, "error", "证照信息填写错误")
    listed = revocations.status_list(DEPT.lower())
    assert listed.revoked == ((identifier, LATER),)
    signed = status_list_bytes(listed.issuer, listed.generated_at, listed.revoked)
    assert verify(listed.seal_public_key, signed, listed.signature)
    assert not verify(
        listed.seal_public_key, status_list_bytes(DEPT, listed.generated_at, ()), listed.signature
    )
    with pytest.raises(NotFound):
        revocations.status_list(OTHER_DEPT)
