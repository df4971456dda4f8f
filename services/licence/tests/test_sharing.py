"""亮证 on SQLite: the holder's time-limited link shows the licence while open and valid; an expired link
or a revoked licence is refused; every view, shown or refused, is listed for the holder only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.licence.revocation import Revocations
from ywtb.licence.sharing import Shares
from ywtb.licence.verification import Verifier

from .conftest import APPROVER, HOLDER, NOW, OTHER, Issued


@pytest.fixture
def world(issued: Issued):  # type: ignore[no-untyped-def]
    verifier = Verifier(issued.db, issued.licences, issued.seals, clock=issued.now)
    shares = Shares(issued.db, verifier, default_minutes=10, clock=issued.now)
    return issued.identifier, shares, Revocations(issued.db, issued.seals, clock=issued.now), issued.clock


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
