"""注销: the issuing department revokes a licence with a reason; verifiers fetch each issuer's signed
status list of revocations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ywtb.api.licence.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.codes import validate_credit_code
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound
from ywtb.common.timestamps import timestamp
from ywtb.licence import authz
from ywtb.licence.events import publish
from ywtb.licence.licences import Licences
from ywtb.licence.models import REVOKE_KINDS, REVOKED, Licence
from ywtb.licence.seal_store import SealStore
from ywtb.licence.seals import canonical_bytes, sign


@dataclass(frozen=True)
class StatusList:
    """An issuer's revoked licences, signed with its seal (SM2 over SM3 of the canonical list)."""

    issuer: str
    generated_at: datetime
    revoked: tuple[tuple[str, datetime], ...]  # (identifier, revoked at), by identifier
    signature: str
    seal_public_key: str


def status_list_bytes(
    issuer: str, generated_at: datetime, revoked: tuple[tuple[str, datetime], ...]
) -> bytes:
    """What a status list's signature covers."""
    return canonical_bytes(
        {
            "issuer": issuer,
            "generated_at": utc(generated_at).isoformat(),
            "revoked": [{"identifier": i, "revoked_at": utc(at).isoformat()} for i, at in revoked],
        }
    )


class Revocations(Clocked):
    """Revoking licences and publishing who revoked what."""

    def __init__(self, db: Database, seals: SealStore, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.seals = seals
        self.clock = clock

    def revoke(self, principal: Principal, identifier: str, kind: str, reason: str) -> Licence:
        """Revoke a valid licence of the caller's department; LicenceRevoked."""
        reason = reason.strip()
        if kind not in REVOKE_KINDS:
            raise InvalidArgument(
                "请选择注销原因类别。", code="LICENCE_REVOKE_INVALID", fields={"kind": "请选择注销原因类别。"}
            )
        if not 2 <= len(reason) <= 200:
            message = "请填写注销理由（2 至 200 字），将告知持证人。"
            raise InvalidArgument(message, code="LICENCE_REVOKE_INVALID", fields={"reason": message})
        with self.db.transaction() as session:
            licence = Licences.find(session, identifier)
            authz.require_issuer_staff(principal, licence.tenant, licence.issuer)
            if licence.status == REVOKED:
                raise FailedPrecondition("该证照已注销，无需重复注销。", code="LICENCE_ALREADY_REVOKED")
            licence.status = REVOKED
            licence.revoked_at = self.now()
            licence.revoked_by = principal.subject
            licence.revoke_kind, licence.revoke_reason = kind, reason
            session.flush()
            event = events_pb2.LicenceRevoked(
                identifier=licence.identifier,
                tenant=licence.tenant,
                issuer=licence.issuer,
                type_code=licence.type_code,
                kind=kind,
                revoked_at=timestamp(licence.revoked_at),
            )
            publish(session, event, key=licence.identifier, tenant=licence.tenant)
            session.expunge(licence)
        return licence

    def status_list(self, issuer: str) -> StatusList:
        """The issuer's revocations, signed now; NotFound for a department that never issued."""
        issuer = validate_credit_code(issuer, "issuer")
        now = self.now()
        with self.db.transaction() as session:
            key = self.seals.key_of(session, issuer)
            if key is None:
                raise NotFound(
                    "该机构未在本平台签发电子证照，请核对发证机关代码。", code="LICENCE_ISSUER_NOT_FOUND"
                )
            rows = session.execute(
                select(Licence.identifier, Licence.revoked_at)
                .where(Licence.issuer == issuer, Licence.status == REVOKED)
                .order_by(Licence.identifier)
            ).all()
        revoked = tuple((row.identifier, utc(row.revoked_at)) for row in rows)
        signature = sign(key, status_list_bytes(issuer, now, revoked))
        return StatusList(issuer, now, revoked, signature, key.public_key_hex)
