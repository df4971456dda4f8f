"""Issuing and verifying licences on SQLite: identifier, seal, file, QR, idempotency, every check."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, NotFound
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.licence.identifiers import build_identifier, parse_identifier
from ywtb.licence.licence_file import identifier_of_pdf
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.licences import IssueOrder, Licences, valid_until
from ywtb.licence.models import AUTOMATIC, REVOKED, Licence, LicenceType, SealKeyRow, outbox
from ywtb.licence.seal_store import SealStore
from ywtb.licence.verification import Verifier

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # 10:00 Beijing
TODAY = date(2026, 10, 9)
DEPT = "11510104MB2C394793"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
ID_NUMBER = "11010519491231002X"
SECRET = "unit-test-licence-secret-0123456789"


@pytest.fixture
def db(sqlite_url: str) -> Database:
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    return Database(sqlite_url)


@pytest.fixture
def licence_type(db: Database) -> LicenceType:
    draft = LicenceTypeDraft(
        "个体工商户营业执照", (("business_scope", "经营范围", True),), 60, "营业执照", AUTOMATIC
    )
    return LicenceTypes(db, clock=lambda: NOW).define(ADMIN, draft)


@pytest.fixture
def licences() -> Licences:
    return Licences(SealStore(SECRET), PiiKeys.from_secret(SECRET, "licence"))


def _order(licence_type: LicenceType, **changes) -> IssueOrder:  # type: ignore[no-untyped-def]
    given = {
        "case_no": "510104-20261009-000001",
        "tenant": "510104",
        "licence_type": licence_type,
        "issuer": DEPT,
        "issuer_name": "成都市锦江区市场监督管理局",
        "holder_name": "张三",
        "holder_code_type": "111",
        "holder_code": ID_NUMBER,
        "owner": "citizen-1",
        "values": {"business_scope": "小吃服务"},
    }
    return IssueOrder(**{**given, **changes})


def _issue(db: Database, licences: Licences, order: IssueOrder) -> Licence:
    with db.transaction() as session:
        licence = licences.issue(session, order, NOW)
        session.expunge(licence)
    return licence


def test_a_licence_gets_an_identifier_a_sealed_file_and_an_event(db, licences, licence_type) -> None:  # type: ignore[no-untyped-def]
    licence = _issue(db, licences, _order(licence_type))
    parsed = parse_identifier(licence.identifier)
    assert (parsed.type_code, parsed.issuer_code, parsed.version) == (licence_type.code, DEPT, 1)
    assert licence.licence_no == "510104202600000001" and parsed.serial == "00" + licence.licence_no
    assert (licence.valid_from, licence.valid_until) == (TODAY, date(2031, 10, 8))
    assert licence.holder_code_masked == "110105********002X" and ID_NUMBER not in licence.holder_code_enc
    assert identifier_of_pdf(licence.file) == licence.identifier
    with db.transaction() as session:
        seal = session.get(SealKeyRow, DEPT)
        assert seal is not None and len(seal.public_key) == 128
        rows = session.execute(select(outbox.c.key, outbox.c.ce_type, outbox.c.payload)).all()
    issued = [r for r in rows if r.ce_type == "ywtb.licence.v1.LicenceIssued"]
    assert [r.key for r in issued] == [licence.identifier]
    payload = json.loads(issued[0].payload)
    assert payload["caseNo"] == "510104-20261009-000001" and ID_NUMBER.encode() not in issued[0].payload


def test_the_same_case_and_type_issue_once_and_serials_count_per_issuer(db, licences, licence_type) -> None:  # type: ignore[no-untyped-def]
    first = _issue(db, licences, _order(licence_type))
    again = _issue(db, licences, _order(licence_type))
    second = _issue(db, licences, _order(licence_type, case_no="510104-20261009-000002"))
    assert again.identifier == first.identifier
    assert second.licence_no == "510104202600000002"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"holder_code": "110105194912310021"}, "LICENCE_HOLDER_INVALID"),
        ({"holder_code_type": "001"}, "LICENCE_HOLDER_INVALID"),
        ({"holder_name": " "}, "LICENCE_HOLDER_INVALID"),
        ({"values": {}}, "LICENCE_FIELDS_INVALID"),
        ({"values": {"business_scope": "小吃", "capital": "10"}}, "LICENCE_FIELDS_INVALID"),
    ],
)
def test_bad_holders_and_values_issue_nothing(db, licences, licence_type, changes, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as caught:
        _issue(db, licences, _order(licence_type, **changes))
    assert caught.value.code == code
    with db.transaction() as session:
        assert session.scalars(select(Licence)).all() == []


def test_validity_ends_the_day_before_the_anniversary() -> None:
    assert valid_until(date(2024, 2, 29), 12) == date(2025, 2, 27)
    assert valid_until(date(2026, 1, 31), 1) == date(2026, 2, 27)
    assert valid_until(date(2026, 10, 9), 0) is None


def test_a_genuine_licence_passes_every_check_by_identifier_file_and_qr(db, licences, licence_type) -> None:  # type: ignore[no-untyped-def]
    licence = _issue(db, licences, _order(licence_type))
    verifier = Verifier(db, licences, licences.seals, clock=lambda: NOW)
    by_id = verifier.by_identifier(licence.identifier.lower())
    by_file = verifier.by_file(licence.file)
    by_qr = verifier.by_qr(licence.qr_payload)
    forged_qr = verifier.by_qr(licence.qr_payload.replace("|2031-10-08|", "|2036-10-08|"))
    assert by_id.valid and by_file.valid and by_qr.valid
    assert [c.name for c in by_id.checks] == ["signature", "issuer", "revoked", "expired", "superseded"]
    assert [c.name for c in by_file.checks][-1] == "file" and [c.name for c in by_qr.checks][-1] == "qr"
    assert [c.name for c in forged_qr.checks if not c.passed] == ["qr"]


def test_tampering_revocation_expiry_and_another_file_fail_their_own_check(
    db, licences, licence_type
) -> None:  # type: ignore[no-untyped-def]
    licence = _issue(db, licences, _order(licence_type))
    now = {"at": NOW}
    verifier = Verifier(db, licences, licences.seals, clock=lambda: now["at"])

    def failed(verification) -> list[str]:  # type: ignore[no-untyped-def]
        return [c.name for c in verification.checks if not c.passed]

    with db.transaction() as session:
        session.execute(update(Licence).values(holder_name="李四"))
    assert failed(verifier.by_identifier(licence.identifier)) == ["signature"]
    with db.transaction() as session:
        session.execute(update(Licence).values(holder_name="张三", status=REVOKED))
    now["at"] = datetime(2031, 10, 9, 2, 0, tzinfo=UTC)
    assert failed(verifier.by_identifier(licence.identifier)) == ["revoked", "expired"]
    now["at"] = NOW
    assert failed(verifier.by_file(licence.file + b"\n")) == ["revoked", "file"]
    with pytest.raises(InvalidArgument):
        verifier.by_identifier(licence.identifier[:-1] + _other_check(licence.identifier))
    with pytest.raises(NotFound):
        verifier.by_identifier(build_identifier(licence.type_code, licence.issuer, "99").text)
    with pytest.raises(InvalidArgument):
        verifier.by_file(b"%PDF-1.7 not a licence")
    with pytest.raises(InvalidArgument):
        verifier.by_qr("https://example.org/")


def _other_check(identifier: str) -> str:
    return "0" if identifier[-1] != "0" else "1"


def test_a_company_holds_by_its_credit_code_shown_in_full(db, licences, licence_type) -> None:  # type: ignore[no-untyped-def]
    company = make_credit_code("91510104MA6CXQ0R0")
    licence = _issue(
        db,
        licences,
        _order(licence_type, holder_name="成都锦江小吃有限公司", holder_code_type="001", holder_code=company),
    )
    assert licence.holder_code_masked == company and licences.holder_code(licence) == company


def test_the_wallet_lists_and_hands_out_only_the_callers_licences(db, licences, licence_type) -> None:  # type: ignore[no-untyped-def]
    from ywtb.common.errors import PermissionDenied
    from ywtb.licence.wallet import WalletReads

    licence = _issue(db, licences, _order(licence_type))
    _issue(db, licences, _order(licence_type, case_no="C-other", owner="citizen-2"))
    wallet = WalletReads(db)
    citizen = Principal(subject="citizen-1", tenant="510104", roles=frozenset({"citizen"}))
    other = Principal(subject="citizen-2", tenant="510104", roles=frozenset({"citizen"}))
    assert [x.identifier for x in wallet.mine(citizen)] == [licence.identifier]
    assert wallet.file(citizen, licence.identifier).file == licence.file
    with pytest.raises(NotFound):
        wallet.file(other, licence.identifier)
    with pytest.raises(PermissionDenied):
        wallet.mine(ADMIN)
