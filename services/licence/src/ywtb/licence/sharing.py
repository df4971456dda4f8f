"""亮证: the holder shows a licence through a time-limited link; every view is checked against the licence
as it stands then (a revoked licence is never shown) and recorded for the holder to see."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.licence.licences import Licences
from ywtb.licence.models import VALID, Share, ShareView
from ywtb.licence.verification import Verification, Verifier

MAX_MINUTES = 24 * 60
SHOWN, EXPIRED, NOT_VALID = "shown", "expired", "not_valid"


class Shares(Clocked):
    """Share links of licences and their views."""

    def __init__(
        self, db: Database, verifier: Verifier, *, default_minutes: int = 10, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.verifier = verifier
        self.default_minutes = default_minutes
        self.clock = clock

    def create(self, principal: Principal, identifier: str, minutes: int = 0) -> Share:
        """A link to one of the caller's valid licences, open for `minutes` (0: the default)."""
        minutes = minutes or self.default_minutes
        if not 1 <= minutes <= MAX_MINUTES:
            message = f"亮证有效时间应为 1 至 {MAX_MINUTES} 分钟。"
            raise InvalidArgument(message, code="LICENCE_SHARE_INVALID", fields={"minutes": message})
        now = self.now()
        with self.db.transaction() as session:
            licence = Licences.find_held(session, principal, identifier)
            if licence.status != VALID:
                raise FailedPrecondition(
                    "该证照已注销或已换发，不能亮证；请使用最新的有效证照。", code="LICENCE_NOT_CURRENT"
                )
            share = Share(
                token=secrets.token_urlsafe(32),
                identifier=licence.identifier,
                owner=principal.subject,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
            session.add(share)
            session.flush()
            session.expunge(share)
        return share

    def view(self, token: str, viewer: str) -> tuple[Share, Verification]:
        """The licence behind a link with every check, if the link is open and the licence valid; each
        view recorded (also a refused one)."""
        now = self.now()
        with self.db.transaction() as session:
            share = session.get(Share, token)
            if share is None:
                raise NotFound("亮证链接无效，请让持证人重新出示。", code="LICENCE_SHARE_NOT_FOUND")
            verification = self.verifier.checks(session, Licences.find(session, share.identifier))
            outcome = SHOWN
            if utc(share.expires_at) <= now:
                outcome = EXPIRED
            elif not verification.valid:
                outcome = NOT_VALID
            session.add(
                ShareView(
                    token=token,
                    identifier=share.identifier,
                    viewed_at=now,
                    viewer=viewer[:64],
                    outcome=outcome,
                )
            )
            session.flush()
            session.expunge(share)
        if outcome == EXPIRED:
            raise FailedPrecondition("亮证链接已过期，请让持证人重新出示。", code="LICENCE_SHARE_EXPIRED")
        if outcome == NOT_VALID:
            raise FailedPrecondition(
                "该证照当前无效（已注销、已换发或已过期），不能展示。", code="LICENCE_NOT_CURRENT"
            )
        return share, verification

    def views(self, principal: Principal, identifier: str) -> list[ShareView]:
        """Every view of the caller's links to the licence, newest first."""
        with self.db.transaction() as session:
            licence = Licences.find_held(session, principal, identifier)
            found = list(
                session.scalars(
                    select(ShareView)
                    .where(ShareView.identifier == licence.identifier)
                    .order_by(ShareView.viewed_at.desc(), ShareView.id.desc())
                    .limit(200)
                )
            )
            session.expunge_all()
        return found
