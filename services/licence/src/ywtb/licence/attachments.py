"""一证通办: intake attaches a licence the applicant holds to an application instead of an upload —
only a valid licence of the named type, held by that applicant."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, PermissionDenied
from ywtb.licence.licences import Licences
from ywtb.licence.models import Licence, LicenceType
from ywtb.licence.verification import Verifier


class Attachments:
    """Held licences handed to another service for an application."""

    def __init__(self, db: Database, licences: Licences, verifier: Verifier) -> None:
        self.db = db
        self.licences = licences
        self.verifier = verifier

    def held(self, principal: Principal, identifier: str, holder_code: str, type_name: str) -> Licence:
        """The licence with its file, when it is valid, of `type_name` and held by `holder_code`."""
        if not principal.has_role(tenancy.SERVICE):
            raise PermissionDenied("仅限平台内部服务调用。", message_en="services only")
        with self.db.transaction() as session:
            licence = Licences.find(session, identifier)
            _ = licence.file  # loaded before the checks detach it
            kind = session.get(LicenceType, licence.type_code)
            kind_name = kind.name if kind else ""
            verification = self.verifier.checks(session, licence)
        held = self.licences.pii.lookup_hash(holder_code.strip().upper()) == licence.holder_lookup
        if not held:
            raise PermissionDenied(
                "该电子证照的持证人不是申请人，不能用于本次申请；请上传材料或使用本人的证照。",
                code="LICENCE_NOT_HELD",
            )
        wanted = type_name.strip()
        if wanted and wanted not in (licence.type_name, kind_name):
            raise FailedPrecondition(
                f"所选证照不是本材料要求的“{type_name}”，请选择对应的证照或上传材料。",
                code="LICENCE_WRONG_TYPE",
            )
        failed = [c for c in verification.checks if not c.passed]
        if failed:
            raise FailedPrecondition(
                f"该电子证照当前不能使用（{failed[0].detail}），请到发证机关办理后再申请，或上传有效的证明材料。",
                code="LICENCE_NOT_CURRENT",
            )
        return licence
