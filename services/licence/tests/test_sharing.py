"""亮证 on SQLite: the holder's time-limited link shows the licence while open and valid; an expired link
or a revoked licence is refused; every view, shown or refused, is listed for the holder only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences
from ywtb.licence.models import AUTOMATIC
from ywtb.licence.revocation import Revocations
from ywtb.licence.seal_store import SealStore
from ywtb.licence.sharing import Shares
from ywtb.licence.verification import Verifier

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
DEPT = "11510104MB2C394793"
SECRET = "unit-test-licence-secret-0123456789"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
APPROVER = Principal(subject="approver-1", tenant="510104", dept=DEPT, roles=frozenset({"approver"}))
HOLDER = Principal(subject="citizen-1", tenant="510104", roles=frozenset({"citizen"}))
OTHER = Principal(subject="citizen-2", tenant="510104", roles=frozenset({"citizen"}))


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
    clock = {"now": NOW}
    verifier = Verifier(db, licences, seals, clock=lambda: clock["now"])
    shares = Shares(db, verifier, default_minutes=10, clock=lambda: clock["now"])
    return identifier, shares, Revocations(db, seals, clock=lambda: clock["now"]), clock


def test_a_link_shows_the_licence_while_open_and_every_view_is_recorded(world) -> None:  # type: ignore[no-untyped-def]
    identifier, shares, _revocations, clock = world
    with pytest.raises(NotFound):
        shares.create(OTHER, identifier)
    with pytest.raises(InvalidArgument):
        shares.create(HOLDER, identifier, 1441)
    share = shares.create(HOLDER, identifier)
    assert share.expires_at == NOW + timedelta(minutes=10) and len(share.token) == 43
    _, verification = shares.view(share.token, "anonymous")
    assert verification.valid and verification.holder_name == "张*"
    clock["now"] = NOW + timedelta(minutes=10)
    with pytest.raises(FailedPrecondition) as caught:
        shares.view(share.token, "inspector-1")
    assert caught.value.code == "LICENCE_SHARE_EXPIRED"
    with pytest.raises(NotFound):
        shares.view("x" * 43, "anonymous")
    views = shares.views(HOLDER, identifier)
    assert [(v.viewer, v.outcome) for v in views] == [("inspector-1", "expired"), ("anonymous", "shown")]
    with pytest.raises(NotFound):
        shares.views(OTHER, identifier)


def test_a_revoked_licence_is_not_shown_through_an_open_link(world) -> None:  # type: ignore[no-untyped-def]
    identifier, shares, revocations, _clock = world
    share = shares.create(HOLDER, identifier, 60)
    revocations.revoke(APPROVER, identifier, "error", "证照信息填写错误")
    with pytest.raises(FailedPrecondition) as caught:
        shares.view(share.token, "anonymous")
    assert caught.value.code == "LICENCE_NOT_CURRENT"
    assert [v.outcome for v in shares.views(HOLDER, identifier)] == ["not_valid"]
    with pytest.raises(FailedPrecondition):
        shares.create(HOLDER, identifier)
