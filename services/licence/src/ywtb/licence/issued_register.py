"""发证台账: the licences an issuing department issued, searched by its staff who revoke and reissue them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import defer

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.licence import authz
from ywtb.licence.models import Licence

MAX_PAGE = 100


class IssuedRegister:
    """Reads of the caller's department's licences."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(
        self, principal: Principal, query: str = "", status: str = "", page_size: int = 50, offset: int = 0
    ) -> list[Licence]:
        """The department's licences, newest first; `query` matches the start of a licence number, holder name or
        case number."""
        authz.require_issuer_staff(principal, principal.tenant, principal.dept)
        statement = (
            select(Licence)
            .options(defer(Licence.file))
            .where(Licence.tenant == principal.tenant, Licence.issuer == principal.dept)
        )
        query = query.strip()[:64]
        if query:
            prefix = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            statement = statement.where(
                or_(
                    Licence.licence_no.like(prefix, escape="\\"),
                    Licence.holder_name.like(prefix, escape="\\"),
                    Licence.case_no.like(prefix, escape="\\"),
                )
            )
        if status:
            statement = statement.where(Licence.status == status)
        size = min(max(page_size or 50, 1), MAX_PAGE)
        with self.db.transaction() as session:
            found = list(
                session.scalars(
                    statement.order_by(Licence.issued_at.desc(), Licence.identifier)
                    .limit(size)
                    .offset(max(offset, 0))
                )
            )
            session.expunge_all()
        return found
