"""A licence as a W3C Verifiable Credential (VC Data Model 2.0): what the licence shows, as JSON-LD.

The ywtb terms are defined by a context embedded in the credential, so a verifier needs only the W3C
credentials v2 context; their IRIs are in the urn:ywtb:licence:vocab# namespace (docs/licence.md lists them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ywtb.licence.linked_data import CREDENTIALS_V2
from ywtb.licence.models import Licence

VOCAB = "urn:ywtb:licence:vocab#"
LICENCE_URN = "urn:ywtb:licence:"
CREDENTIAL_TYPE = "ElectronicLicenceCredential"
BEIJING = "+08:00"

_TERMS = (
    "LicenceHolder",
    "holderCode",
    "holderCodeType",
    "licenceIdentifier",
    "licenceNumber",
    "licenceTypeCode",
    "licenceTypeName",
    "licenceVersion",
    "jurisdiction",
)
LICENCE_CONTEXT: dict[str, Any] = {
    "@protected": True,
    CREDENTIAL_TYPE: f"{VOCAB}{CREDENTIAL_TYPE}",
    **{term: f"{VOCAB}{term}" for term in _TERMS},
    "issueDate": {"@id": f"{VOCAB}issueDate", "@type": "http://www.w3.org/2001/XMLSchema#date"},
    "licenceData": {"@id": f"{VOCAB}licenceData", "@type": "@json"},
}


def _start_of(day: date) -> str:
    return f"{day.isoformat()}T00:00:00{BEIJING}"


def _end_of(day: date) -> str:
    return f"{day.isoformat()}T23:59:59{BEIJING}"


def licence_credential(licence: Licence, issuer_did: str, status: dict[str, Any]) -> dict[str, Any]:
    """The unsigned credential of one licence version: its holder as the licence prints it (a citizen's ID
    number masked), its number, type, data items and validity, and its slot in the status list."""
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, LICENCE_CONTEXT],
        "id": LICENCE_URN + licence.identifier,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": licence.type_name,
        "issuer": {"id": issuer_did, "name": licence.issuer_name},
        "validFrom": _start_of(licence.valid_from),
        "credentialSubject": {
            "type": "LicenceHolder",
            "name": licence.holder_name,
            "holderCode": licence.holder_code_masked,
            "holderCodeType": licence.holder_code_type,
            "licenceIdentifier": licence.identifier,
            "licenceNumber": licence.licence_no,
            "licenceTypeCode": licence.type_code,
            "licenceTypeName": licence.type_name,
            "licenceVersion": licence.version,
            "issueDate": licence.issued_on.isoformat(),
            "jurisdiction": licence.jurisdiction,
            "licenceData": dict(licence.fields),
        },
        "credentialStatus": status,
    }
    if licence.valid_until is not None:
        credential["validUntil"] = _end_of(licence.valid_until)
    return credential


def licence_identifier_of(credential: dict[str, Any]) -> str | None:
    """The licence identifier a credential's id names, or None when it is not a licence's credential."""
    credential_id = credential.get("id")
    if isinstance(credential_id, str) and credential_id.startswith(LICENCE_URN):
        return credential_id[len(LICENCE_URN) :]
    return None
