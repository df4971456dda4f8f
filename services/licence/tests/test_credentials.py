"""Licences as W3C credentials on SQLite: the holder's credential verifies with every check; a changed claim,
a revocation, a foreign issuer or an unknown context is caught; VC-API issue only in the caller's own
department's name; a presentation's challenge and domain are checked."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.errors import InvalidArgument, NotFound, PermissionDenied
from ywtb.licence import credential_status
from ywtb.licence.credential_keys import CredentialKeys
from ywtb.licence.credential_verification import CredentialVerifier
from ywtb.licence.credentials import Credentials
from ywtb.licence.data_integrity import AUTHENTICATION, add_proof, proof_options
from ywtb.licence.issuer_dids import IssuerDids
from ywtb.licence.linked_data import CREDENTIALS_V2, DocumentLoader
from ywtb.licence.models import CredentialIssue
from ywtb.licence.multikey import public_multibase
from ywtb.licence.revocation import Revocations
from ywtb.licence.verification import Verifier

from .conftest import APPROVER, DEPT, HOLDER, NOW, OTHER, SECRET, Issued

DIDS = IssuerDids("https://zwfw.example.gov.cn")
OTHER_DEPT_STAFF = Principal(
    subject="approver-9", tenant="510105", dept="11510105MB6234567X", roles=frozenset({"approver"})
)

DRAFT = {
    "@context": [CREDENTIALS_V2, {"inspectionResult": "urn:example:inspectionResult"}],
    "type": ["VerifiableCredential"],
    "issuer": DIDS.did(DEPT),
    "validFrom": "2026-10-09T00:00:00+08:00",
    "credentialSubject": {"id": "did:example:shop", "inspectionResult": "合格"},
}


@pytest.fixture
def vc(issued: Issued):  # type: ignore[no-untyped-def]
    keys, loader = CredentialKeys(SECRET), DocumentLoader()
    verifier = Verifier(issued.db, issued.licences, issued.seals, clock=issued.now)
    credentials = Credentials(issued.db, keys, DIDS, loader, clock=issued.now)
    return credentials, CredentialVerifier(issued.db, keys, DIDS, verifier, loader, clock=issued.now)


def _names(result) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {check.name: check.passed for check in result.checks}


def test_the_holders_credential_verifies_with_every_check(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    with pytest.raises(NotFound):
        credentials.of_licence(OTHER, issued.identifier)
    credential = credentials.of_licence(HOLDER, issued.identifier)
    assert credential["issuer"]["id"] == DIDS.did(DEPT)
    assert credential["credentialSubject"]["holderCode"] == "110105********002X"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    result = verifier.credential(credential)
    assert result.verified, result
    assert set(_names(result)) == {
        "proof",
        "validity",
        "status",
        "signature",
        "issuer",
        "revoked",
        "expired",
        "superseded",
    }
    again = credentials.of_licence(HOLDER, issued.identifier)
    assert again["credentialStatus"] == credential["credentialStatus"]  # one slot per licence version


def test_a_changed_claim_fails_the_proof(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    changed = copy.deepcopy(credentials.of_licence(HOLDER, issued.identifier))
    changed["credentialSubject"]["licenceData"] = {"scope": "any"}
    result = verifier.credential(changed)
    assert not result.verified and _names(result)["proof"] is False
    assert result.errors[0].type.endswith("PROOF_VERIFICATION_ERROR")


def test_a_revoked_licence_fails_its_status_and_the_signed_list_shows_it(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    credential = credentials.of_licence(HOLDER, issued.identifier)
    Revocations(issued.db, issued.seals, clock=issued.now).revoke(
        APPROVER, issued.identifier, "error", "信息错误"
    )
    result = verifier.credential(credential)
    assert not result.verified
    assert _names(result)["status"] is False and _names(result)["revoked"] is False
    status_list = credentials.status_list(DEPT)
    assert verifier.credential(status_list).verified
    index = int(credential["credentialStatus"]["statusListIndex"])
    assert credential_status.bit_set(status_list["credentialSubject"]["encodedList"], index)
    with pytest.raises(NotFound):
        credentials.status_list("11510105MB6234567X")


def test_an_expired_credential_and_a_foreign_key_are_reported(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    credential = credentials.of_licence(HOLDER, issued.identifier)
    foreign = Ed25519PrivateKey.generate()
    did = f"did:key:{public_multibase(foreign)}"
    resigned = {k: v for k, v in credential.items() if k != "proof"}
    resigned = add_proof(
        resigned, foreign, proof_options(f"{did}#{public_multibase(foreign)}", NOW), DocumentLoader()
    )
    result = verifier.credential(resigned)
    assert not result.verified and "不是" in result.errors[0].detail  # signed, but not by the issuer
    unsigned = {k: v for k, v in credential.items() if k not in ("proof", "credentialStatus")}
    with pytest.raises(InvalidArgument):  # a licence's credential is made from the licence only
        credentials.issue(APPROVER, unsigned)
    short = credentials.issue(APPROVER, DRAFT | {"validUntil": "2026-10-10T00:00:00+08:00"})
    assert verifier.credential(short).verified
    issued.clock["now"] = NOW + timedelta(days=3)
    result = verifier.credential(short)
    assert _names(result)["validity"] is False


def test_issue_signs_only_in_the_callers_own_departments_name(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    draft = DRAFT
    with pytest.raises(PermissionDenied):
        credentials.issue(HOLDER, draft)
    with pytest.raises(PermissionDenied) as caught:
        credentials.issue(OTHER_DEPT_STAFF, draft)
    assert caught.value.code == "CREDENTIAL_ISSUER_NOT_OWN"
    with pytest.raises(InvalidArgument) as malformed:
        credentials.issue(APPROVER, {**draft, "@context": [CREDENTIALS_V2, "https://evil.example/ctx"]})
    assert malformed.value.code == "CREDENTIAL_MALFORMED"
    with pytest.raises(InvalidArgument):
        credentials.issue(APPROVER, {**draft, "@context": ["https://www.w3.org/2018/credentials/v1"]})
    signed = credentials.issue(APPROVER, draft)
    assert verifier.credential(signed).verified
    with issued.db.transaction() as session:
        record = session.scalars(select(CredentialIssue)).one()
    assert (record.dept, record.issued_by, len(record.document_sha256)) == (DEPT, "approver-1", 64)
    assert credentials.issuer_document(DEPT)["id"] == DIDS.did(DEPT)


def test_a_presentation_binds_the_holder_to_the_challenge_and_domain(issued: Issued, vc) -> None:  # type: ignore[no-untyped-def]
    credentials, verifier = vc
    credential = credentials.of_licence(HOLDER, issued.identifier)
    holder_key = Ed25519PrivateKey.generate()
    holder = f"did:key:{public_multibase(holder_key)}"
    presentation = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [credential],
    }
    options = proof_options(
        f"{holder}#{public_multibase(holder_key)}",
        NOW,
        AUTHENTICATION,
        challenge="c-123",
        domain="inspector.example",
    )
    signed = add_proof(presentation, holder_key, options, DocumentLoader())
    result = verifier.presentation(signed, "c-123", "inspector.example")
    assert result.verified, result
    assert result.credentials[0].verified
    replayed = verifier.presentation(signed, "c-456", "inspector.example")
    assert not replayed.verified and _names(replayed)["challenge"] is False
    assert not verifier.presentation(
        presentation, "c-123", ""
    ).verified  # unsigned: the challenge is unproven
    unsigned = verifier.presentation(presentation, "", "")
    assert unsigned.verified and unsigned.warnings
    with pytest.raises(InvalidArgument):
        verifier.presentation({**presentation, "verifiableCredential": []}, "", "")
