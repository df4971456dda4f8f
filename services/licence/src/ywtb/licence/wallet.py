"""The holder's wallet (我的证照): the licences issued to the caller's account, newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import PermissionDenied
from ywtb.licence.licences import Licences
from ywtb.licence.models import Licence

MAX_PAGE = 100


class WalletReads:
    """Reads of the caller's own licences."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def mine(self, principal: Principal, page_size: int = 50, offset: int = 0) -> list[Licence]:
        """The licences of the caller's applications (a citizen's own; an agent's for the companies it served)."""
        if not principal.subject or not any(principal.has_role(r) for r in tenancy.APPLICANT_ROLES):
            raise PermissionDenied("请使用个人或法人账号登录后查看我的证照。", message_en="applicants only")
        size = min(max(page_size or 50, 1), MAX_PAGE)
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    select(Licence)
                    .options(defer(Licence.file))
                    .where(Licence.owner == principal.subject)
                    .order_by(Licence.issued_at.desc(), Licence.identifier)
                    .limit(size)
                    .offset(max(offset, 0))
                )
            )
            session.expunge_all()
        return found

    def file(self, principal: Principal, identifier: str) -> Licence:
        """One of the caller's licences with its PDF loaded; others' are not found."""
        with self.db.transaction() as session:
            licence = Licences.find_held(session, principal, identifier)
            _ = licence.file
            session.expunge(licence)
        return licence
