"""W3C Data Integrity with the eddsa-rdfc-2022 cryptosuite (vc-di-eddsa §3.3): add and verify proofs.

The signed bytes are SHA-256(canonical proof configuration) ‖ SHA-256(canonical document), each canonical
form the RDFC-1.0 N-Quads of the JSON-LD; the proof configuration carries the document's @context. The
signature is Ed25519, its proofValue multibase base58btc.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ywtb.common.clock import utc
from ywtb.licence.linked_data import DocumentLoader, canonical_nquads
from ywtb.licence.multikey import decode_multibase, encode_multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION, AUTHENTICATION = "assertionMethod", "authentication"
# XML Schema dateTimeStamp: a date and time with its zone.
DATE_TIME_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


class ProofError(ValueError):
    """A proof that cannot be made or checked as eddsa-rdfc-2022 (malformed, not only unverified)."""


def date_time_stamp(moment: datetime) -> str:
    """A UTC time as an XML Schema dateTimeStamp to the second, e.g. 2026-12-06T08:00:00Z."""
    return utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_options(
    verification_method: str,
    created: datetime,
    purpose: str = ASSERTION,
    *,
    challenge: str = "",
    domain: str = "",
) -> dict[str, Any]:
    """The options of a new proof (no proofValue yet)."""
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": date_time_stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    if challenge:
        options["challenge"] = challenge
    if domain:
        options["domain"] = domain
    return options


def _hash_data(unsecured: Mapping[str, Any], options: Mapping[str, Any], loader: DocumentLoader) -> bytes:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"not a {PROOF_TYPE} of {CRYPTOSUITE}")
    created = options.get("created")
    if created is not None and not (isinstance(created, str) and DATE_TIME_STAMP.fullmatch(created)):
        raise ProofError("proof.created is not an XML Schema dateTimeStamp")
    config = {**options, "@context": unsecured.get("@context")}
    config_hash = hashlib.sha256(canonical_nquads(config, loader).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(unsecured, loader).encode()).digest()
    return config_hash + document_hash


def add_proof(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    options: Mapping[str, Any],
    loader: DocumentLoader,
) -> dict[str, Any]:
    """The document secured with one new proof (a document that already has one is refused)."""
    if "proof" in document:
        raise ProofError("the document already has a proof")
    signature = key.sign(_hash_data(document, options, loader))
    return {**document, "proof": {**options, "proofValue": encode_multibase(signature)}}


def proofs_of(secured: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The proofs of a secured document (a proof set is a list); ProofError when it has none."""
    proof = secured.get("proof")
    found = proof if isinstance(proof, list) else [proof] if proof is not None else []
    if not found or not all(isinstance(p, Mapping) for p in found):
        raise ProofError("the document has no proof")
    return found


def verify_proof(
    secured: Mapping[str, Any], proof: Mapping[str, Any], public_key: bytes, loader: DocumentLoader
) -> bool:
    """Whether one proof of a secured document is a valid Ed25519 signature by `public_key`."""
    signature = decode_multibase(str(proof.get("proofValue", "")))
    if signature is None or len(signature) != 64:
        raise ProofError("proof.proofValue is not a base58btc Ed25519 signature")
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        own = options.pop("@context")
        context = unsecured.get("@context")
        expected = own if isinstance(own, list) else [own]
        actual = context if isinstance(context, list) else [context]
        if actual[: len(expected)] != expected:
            return False
        unsecured["@context"] = own
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, _hash_data(unsecured, options, loader)
        )
    except InvalidSignature:
        return False
    return True
