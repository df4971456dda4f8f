"""证照核验: is this licence genuine and in force? Each check answered separately; no login needed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.common.calendar import local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument
from ywtb.common.pii import mask_name
from ywtb.licence import gbt36903
from ywtb.licence.licence_file import identifier_of_pdf
from ywtb.licence.licences import CREDIT_CODE, Licences
from ywtb.licence.models import REVOKED, Licence
from ywtb.licence.seal_store import SealStore
from ywtb.licence.seals import sm3_hex, verify

SIGNATURE, ISSUER, REVOCATION, EXPIRY, SUPERSESSION, FILE, QR = (
    "signature",
    "issuer",
    "revoked",
    "expired",
    "superseded",
    "file",
    "qr",
)


@dataclass(frozen=True)
class Check:
    """One check of a verification: its name, whether it passed, and why in Chinese."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    """The answer: the licence (masked facts only) and every check; valid when all passed."""

    licence: Licence
    checks: tuple[Check, ...]
    seal_public_key: str

    @property
    def holder_name(self) -> str:
        """The holder as a verifier sees it: an organisation in full, a person after the first character masked."""
        name = self.licence.holder_name
        return name if self.licence.holder_code_type == CREDIT_CODE else mask_name(name, min_stars=0)

    @property
    def valid(self) -> bool:
        """True when every check passed."""
        return all(check.passed for check in self.checks)


def _revocation_detail(licence: Licence) -> str:
    if licence.status != REVOKED:
        return "未注销"
    return (
        f"证照已于 {local_date(utc(licence.revoked_at)).isoformat()} 注销"
        if licence.revoked_at
        else "证照已注销"
    )


class Verifier(Clocked):
    """Verification by identifier, by uploaded file or by the QR code's payload; each is one read."""

    def __init__(self, db: Database, licences: Licences, seals: SealStore, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.licences = licences
        self.seals = seals
        self.clock = clock

    def by_identifier(self, identifier: str) -> Verification:
        """Every check of the licence with this identifier."""
        with self.db.transaction() as session:
            return self.checks(session, self.licences.find(session, identifier))

    def by_file(self, pdf: bytes) -> Verification:
        """The checks of the licence a PDF names, plus whether the PDF is the very file issued."""
        with self.db.transaction() as session:
            return self._by_file(session, pdf)

    def by_qr(self, payload: str) -> Verification:
        """The checks of the licence a QR payload names, plus the payload's own signature."""
        with self.db.transaction() as session:
            return self._by_qr(session, payload)

    def _by_file(self, session: Session, pdf: bytes) -> Verification:
        identifier = identifier_of_pdf(pdf)
        if identifier is None:
            raise InvalidArgument(
                "文件中未找到电子证照标识，请上传本平台签发的证照 PDF 文件。",
                code="LICENCE_ID_MALFORMED",
                message_en="no licence identifier in the file",
            )
        licence = self.licences.find(session, identifier)
        same = sm3_hex(pdf) == licence.file_sm3
        file_check = Check(FILE, same, "文件与签发时一致" if same else "文件与签发时不一致，可能被篡改")
        return self.checks(session, licence, (file_check,))

    def _by_qr(self, session: Session, payload: str) -> Verification:
        parsed = gbt36903.parse_qr_payload(payload)
        if parsed is None:
            raise InvalidArgument(
                "二维码内容不是本平台的电子证照二维码，请核对后重新扫描。",
                code="LICENCE_ID_MALFORMED",
                message_en="not a licence QR payload",
            )
        identifier, until, signature = parsed
        licence = self.licences.find(session, identifier)
        public = self.seals.public_key(session, licence.issuer) or ""
        genuine = until == gbt36903.valid_until_text(licence.valid_until) and verify(
            public, gbt36903.qr_signed_text(licence.identifier, until), signature
        )
        qr_check = Check(QR, genuine, "二维码签名有效" if genuine else "二维码签名无效或内容被篡改")
        return self.checks(session, licence, (qr_check,))

    def checks(self, session: Session, licence: Licence, extra: tuple[Check, ...] = ()) -> Verification:
        """Every check of a licence read in the caller's transaction (left detached afterwards)."""
        public = self.seals.public_key(session, licence.issuer)
        metadata = gbt36903.metadata_of(licence, self.licences.holder_code(licence))
        intact = gbt36903.metadata_digest(metadata) == licence.metadata_sm3
        sealed = public is not None and verify(
            public, gbt36903.sealed_bytes(metadata, licence.file_sm3), licence.signature
        )
        later = session.scalar(
            select(Licence.identifier).where(
                Licence.issuer == licence.issuer,
                Licence.type_code == licence.type_code,
                Licence.serial == licence.serial,
                Licence.version > licence.version,
            )
        )
        expired = licence.valid_until is not None and local_date(self.now()) > licence.valid_until
        checks = (
            Check(
                SIGNATURE,
                intact and sealed,
                "电子印章签名有效" if intact and sealed else "签名无效：证照信息被篡改",
            ),
            Check(
                ISSUER,
                public is not None,
                f"签发机构：{licence.issuer_name}" if public is not None else "签发机构未在本平台登记印章",
            ),
            Check(REVOCATION, licence.status != REVOKED, _revocation_detail(licence)),
            Check(
                EXPIRY,
                not expired,
                f"有效期至 {gbt36903.valid_until_text(licence.valid_until)}"
                if not expired
                else "证照已过有效期",
            ),
            Check(SUPERSESSION, later is None, "为最新版本" if later is None else f"已有新版本：{later}"),
            *extra,
        )
        session.expunge(licence)
        return Verification(licence, checks, public or "")
