"""电子证照: issuing a licence (identifier, metadata, QR, file, seal) and reading it back.

`issue` runs in the caller's transaction (the issuance round's or a clerk's use case), so the licence,
its serial number and its LicenceIssued event commit together or not at all.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.api.licence.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import local_date
from ywtb.common.clock import utc
from ywtb.common.codes import credit_code_valid
from ywtb.common.errors import InvalidArgument, NotFound
from ywtb.common.pii import PiiKeys, id_number_valid, mask_id_number
from ywtb.common.timestamps import timestamp
from ywtb.licence import gbt36903
from ywtb.licence.events import publish
from ywtb.licence.identifiers import build_identifier, parse_identifier
from ywtb.licence.licence_file import LicenceDocument, render_pdf
from ywtb.licence.models import SUPERSEDED, VALID, IssuerSerial, Licence, LicenceType
from ywtb.licence.seal_store import SealStore
from ywtb.licence.seals import sign, sm3_hex

CITIZEN_ID, CREDIT_CODE = "111", "001"  # holder code types of GB/T 36903
VERIFY_HINT = "扫描二维码或在政务服务网“证照核验”输入证照标识核验真伪"


@dataclass(frozen=True)
class IssueOrder:
    """What a licence is issued from: the approved case, its holder and the type's field values."""

    case_no: str
    tenant: str
    licence_type: LicenceType
    issuer: str
    issuer_name: str
    holder_name: str
    holder_code_type: str
    holder_code: str
    owner: str = ""
    values: dict[str, str] = field(default_factory=dict)


def _holder_invalid(message: str, field_name: str) -> InvalidArgument:
    return InvalidArgument(
        message,
        code="LICENCE_HOLDER_INVALID",
        message_en=f"licence {field_name} invalid",
        fields={field_name: message},
    )


def _values_invalid(message: str) -> InvalidArgument:
    return InvalidArgument(
        message,
        code="LICENCE_FIELDS_INVALID",
        message_en="licence field values invalid",
        fields={"values": message},
    )


def _checked_holder(order: IssueOrder) -> str:
    code = order.holder_code.strip().upper()
    if not order.holder_name.strip():
        raise _holder_invalid("持证主体名称为空，无法出证。", "holder_name")
    if order.holder_code_type == CITIZEN_ID and id_number_valid(code):
        return code
    if order.holder_code_type == CREDIT_CODE and credit_code_valid(code):
        return code
    raise _holder_invalid("持证主体证件号码不正确，无法出证；请核对办件的申请人信息。", "holder_code")


def _checked_values(licence_type: LicenceType, values: dict[str, str]) -> dict[str, str]:
    known = {f["key"]: f for f in licence_type.fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise _values_invalid(f"证照类型没有这些字段：{'、'.join(unknown)}。")
    kept = {k: str(v).strip() for k, v in values.items() if str(v).strip()}
    missing = [f["label"] for f in licence_type.fields if f["required"] and f["key"] not in kept]
    if missing:
        raise _values_invalid(f"请填写证照字段：{'、'.join(missing)}。")
    return kept


def valid_until(issued_on: date, months: int) -> date | None:
    """The last day of a validity of `months` from the issue date; None for 0 (长期)."""
    if months <= 0:
        return None
    year, month = divmod(issued_on.month - 1 + months, 12)
    year += issued_on.year
    day = min(issued_on.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) - timedelta(days=1)


def _next_serial(session: Session, issuer: str) -> int:
    row = session.get(IssuerSerial, issuer, with_for_update=True)
    if row is None:
        row = IssuerSerial(issuer=issuer, last=0)
        session.add(row)
    row.last += 1
    session.flush()
    return row.last


class Licences:
    """Issue and read licences."""

    def __init__(self, seals: SealStore, pii: PiiKeys, *, font_path: str | None = None) -> None:
        self.seals = seals
        self.pii = pii
        self.font_path = font_path

    def holder_code(self, licence: Licence) -> str:
        """The holder's certificate number in clear."""
        return self.pii.open(licence.holder_code_enc, f"licence.holder:{licence.identifier}")

    def issue(self, session: Session, order: IssueOrder, now: datetime) -> Licence:
        """A new licence, version 1, sealed by its issuer; the same one again for the same case and type."""
        kind = order.licence_type
        existing = session.scalar(
            select(Licence).where(
                Licence.case_no == order.case_no, Licence.type_code == kind.code, Licence.version == 1
            )
        )
        if existing is not None:
            return existing
        holder_code = _checked_holder(order)
        values = _checked_values(kind, order.values)
        issued_on = local_date(now)
        serial = _next_serial(session, order.issuer)
        licence_no = f"{order.tenant}{issued_on:%Y}{serial:08d}"
        identifier = build_identifier(kind.code, order.issuer, licence_no).text
        licence = Licence(
            identifier=identifier,
            tenant=order.tenant,
            type_code=kind.code,
            type_name=kind.template_title or kind.name,
            issuer=order.issuer,
            issuer_name=order.issuer_name,
            serial=licence_no.rjust(20, "0"),
            version=1,
            licence_no=licence_no,
            holder_name=order.holder_name.strip(),
            holder_code_type=order.holder_code_type,
            holder_code_enc=self.pii.seal(holder_code, f"licence.holder:{identifier}"),
            holder_code_masked=mask_id_number(holder_code)
            if order.holder_code_type == CITIZEN_ID
            else holder_code,
            holder_lookup=self.pii.lookup_hash(holder_code),
            owner=order.owner,
            issued_on=issued_on,
            valid_from=issued_on,
            valid_until=valid_until(issued_on, kind.validity_months),
            jurisdiction=order.tenant,
            fields=values,
            case_no=order.case_no,
            status=VALID,
            issued_at=now,
        )
        return self._seal(session, licence, kind, holder_code, now)

    def reissue(
        self,
        session: Session,
        previous: Licence,
        kind: LicenceType,
        values: dict[str, str],
        now: datetime,
        *,
        renew: bool,
    ) -> Licence:
        """The next version of a valid licence (变更, or 延续 when `renew`: validity from today); the previous one
        is superseded. Same serial and number, the fields changed as given."""
        holder_code = self.holder_code(previous)
        merged = _checked_values(kind, {**previous.fields, **values})
        issued_on = local_date(now)
        version = previous.version + 1
        identifier = build_identifier(kind.code, previous.issuer, previous.serial, version).text
        licence = Licence(
            identifier=identifier,
            tenant=previous.tenant,
            type_code=previous.type_code,
            type_name=previous.type_name,
            issuer=previous.issuer,
            issuer_name=previous.issuer_name,
            serial=previous.serial,
            version=version,
            licence_no=previous.licence_no,
            holder_name=previous.holder_name,
            holder_code_type=previous.holder_code_type,
            holder_code_enc=self.pii.seal(holder_code, f"licence.holder:{identifier}"),
            holder_code_masked=previous.holder_code_masked,
            holder_lookup=previous.holder_lookup,
            owner=previous.owner,
            issued_on=issued_on,
            valid_from=issued_on if renew else previous.valid_from,
            valid_until=valid_until(issued_on, kind.validity_months) if renew else previous.valid_until,
            jurisdiction=previous.jurisdiction,
            fields=merged,
            case_no=previous.case_no,
            status=VALID,
            issued_at=now,
        )
        previous.status = SUPERSEDED
        return self._seal(session, licence, kind, holder_code, now)

    def _seal(
        self, session: Session, licence: Licence, kind: LicenceType, holder_code: str, now: datetime
    ) -> Licence:
        """Its QR code, file, metadata digest and seal; stored with its LicenceIssued event."""
        identifier = licence.identifier
        key = self.seals.key_for(session, licence.tenant, licence.issuer, now)
        until = gbt36903.valid_until_text(licence.valid_until)
        qr_signature = sign(key, gbt36903.qr_signed_text(identifier, until))
        licence.qr_payload = gbt36903.qr_payload(identifier, until, qr_signature)
        licence.file = render_pdf(self._document(licence, kind, licence.qr_payload), font_path=self.font_path)
        licence.file_sm3 = sm3_hex(licence.file)
        metadata = gbt36903.metadata_of(licence, holder_code)
        licence.metadata_sm3 = gbt36903.metadata_digest(metadata)
        licence.signature = sign(key, gbt36903.sealed_bytes(metadata, licence.file_sm3))
        session.add(licence)
        session.flush()
        publish(session, licence_issued(licence), key=identifier, tenant=licence.tenant)
        return licence

    @staticmethod
    def _document(licence: Licence, kind: LicenceType, qr: str) -> LicenceDocument:
        labels = {f["key"]: f["label"] for f in kind.fields}
        return LicenceDocument(
            title=licence.type_name,
            licence_no=licence.licence_no,
            identifier=licence.identifier,
            holder_name=licence.holder_name,
            holder_code_masked=licence.holder_code_masked,
            issuer_name=licence.issuer_name,
            issue_date=licence.issued_on.isoformat(),
            valid_from=licence.valid_from.isoformat(),
            valid_to=gbt36903.valid_until_text(licence.valid_until),
            fields=tuple((labels[k], v) for k, v in licence.fields.items()),
            qr_payload=qr,
            verify_hint=VERIFY_HINT,
        )

    @staticmethod
    def find(session: Session, identifier: str) -> Licence:
        """One licence version by its identifier (InvalidArgument when malformed, NotFound when unknown)."""
        text = parse_identifier(identifier).text
        licence = session.get(Licence, text)
        if licence is None:
            raise NotFound("未找到该电子证照，请核对证照标识。", code="LICENCE_NOT_FOUND")
        return licence

    @staticmethod
    def find_held(session: Session, principal: Principal, identifier: str) -> Licence:
        """One of the caller's own licences; another's is not found (its existence is not told)."""
        licence = Licences.find(session, identifier)
        if not principal.subject or licence.owner != principal.subject:
            raise NotFound("未找到该电子证照，请核对证照标识。", code="LICENCE_NOT_FOUND")
        return licence


def licence_issued(licence: Licence) -> events_pb2.LicenceIssued:
    """The LicenceIssued event (no holder certificate number: the topic is public)."""
    return events_pb2.LicenceIssued(
        identifier=licence.identifier,
        tenant=licence.tenant,
        type_code=licence.type_code,
        type_name=licence.type_name,
        issuer=licence.issuer,
        case_no=licence.case_no,
        version=licence.version,
        issued_at=timestamp(utc(licence.issued_at)),
        valid_until=gbt36903.valid_until_text(licence.valid_until),
    )
