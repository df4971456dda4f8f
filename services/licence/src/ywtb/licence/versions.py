"""变更与延续: the issuing department issues a licence's next version; the previous one is superseded."""

from __future__ import annotations

from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.licence import authz
from ywtb.licence.licences import Licences
from ywtb.licence.models import VALID, Licence, LicenceType

CHANGE, RENEW = "change", "renew"


class Versions(Clocked):
    """New versions of licences."""

    def __init__(self, db: Database, licences: Licences, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.licences = licences
        self.clock = clock

    def reissue(self, principal: Principal, identifier: str, kind: str, values: dict[str, str]) -> Licence:
        """Version n+1 of a valid licence of the caller's department: changed fields, or renewed validity."""
        if kind not in (CHANGE, RENEW):
            message = "请选择变更或延续。"
            raise InvalidArgument(message, code="LICENCE_REISSUE_INVALID", fields={"kind": message})
        with self.db.transaction() as session:
            previous = Licences.find(session, identifier)
            authz.require_issuer_staff(principal, previous.tenant, previous.issuer)
            if previous.status != VALID:
                raise FailedPrecondition(
                    "该证照已注销或已有新版本，不能再变更或延续；请对最新版本操作。",
                    code="LICENCE_NOT_CURRENT",
                )
            licence_type = session.get(LicenceType, previous.type_code)
            if licence_type is None:
                raise NotFound("该证照的证照类型已不存在，请联系部门管理员。", code="LICENCE_TYPE_NOT_FOUND")
            if kind == CHANGE and not values:
                message = "变更须填写至少一项证照字段。"
                raise InvalidArgument(message, code="LICENCE_REISSUE_INVALID", fields={"values": message})
            licence = self.licences.reissue(
                session, previous, licence_type, values, self.now(), renew=kind == RENEW
            )
            session.flush()
            session.expunge(licence)
        return licence
