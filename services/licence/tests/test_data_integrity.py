"""eddsa-rdfc-2022 against the W3C vc-di-eddsa test vector (§B.1), Multikey and did:key encodings, each
issuer's did:web, and the Bitstring Status List encoding."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from ywtb.licence import credential_status
from ywtb.licence.data_integrity import ProofError, add_proof, proof_options, verify_proof
from ywtb.licence.issuer_dids import IssuerDids
from ywtb.licence.linked_data import DocumentLoader, UnloadableContext, canonical_nquads
from ywtb.licence.multikey import did_key_method, private_key_of_multibase, public_key_bytes, public_multibase

# vc-di-eddsa §B.1: the key pair, the alumni credential, its proof options and the published results.
SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
METHOD = f"did:key:{PUBLIC}#{PUBLIC}"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
LOADER = DocumentLoader(
    {EXAMPLES_V2: {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}
)
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_V2],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
DOCUMENT_SHA256 = "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
PROOF_CONFIG_SHA256 = "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
PROOF_VALUE = "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"


def test_the_specifications_vector_is_reproduced_and_verifies() -> None:
    key = private_key_of_multibase(SECRET)
    assert public_multibase(key) == PUBLIC
    options = proof_options(METHOD, CREATED)
    assert hashlib.sha256(canonical_nquads(CREDENTIAL, LOADER).encode()).hexdigest() == DOCUMENT_SHA256
    config = {**options, "@context": CREDENTIAL["@context"]}
    assert hashlib.sha256(canonical_nquads(config, LOADER).encode()).hexdigest() == PROOF_CONFIG_SHA256
    secured = add_proof(CREDENTIAL, key, options, LOADER)
    assert secured["proof"]["proofValue"] == PROOF_VALUE
    _, public_key = did_key_method(METHOD) or ("", b"")
    assert verify_proof(secured, secured["proof"], public_key, LOADER)


def test_a_changed_claim_or_context_fails_and_a_second_proof_is_refused() -> None:
    secured = add_proof(CREDENTIAL, private_key_of_multibase(SECRET), proof_options(METHOD, CREATED), LOADER)
    _, public_key = did_key_method(METHOD) or ("", b"")
    changed = {**secured, "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "Another School"}}
    assert not verify_proof(changed, changed["proof"], public_key, LOADER)
    mismatched = {
        **secured,
        "proof": {**secured["proof"], "@context": ["https://www.w3.org/ns/credentials/v2"]},
    }
    assert not verify_proof(mismatched, mismatched["proof"], public_key, LOADER)
    with pytest.raises(ProofError):
        add_proof(secured, private_key_of_multibase(SECRET), proof_options(METHOD, CREATED), LOADER)
    with pytest.raises(ProofError):
        verify_proof(secured, {**secured["proof"], "proofValue": "not-base58"}, public_key, LOADER)


def test_contexts_are_never_fetched() -> None:
    with pytest.raises(UnloadableContext):
        canonical_nquads({**CREDENTIAL, "@context": ["https://evil.example/context"]}, DocumentLoader())
    with pytest.raises(UnloadableContext):
        canonical_nquads(
            CREDENTIAL, DocumentLoader()
        )  # the examples context is the test's, not the service's


def test_multikeys_and_did_keys() -> None:
    assert public_key_bytes(PUBLIC) is not None and len(public_key_bytes(PUBLIC) or b"") == 32
    assert public_key_bytes("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP") is None  # a P-256 key
    assert public_key_bytes("6Mkr") is None
    assert did_key_method(f"did:key:{PUBLIC}") is not None
    assert did_key_method(f"did:key:{PUBLIC}#other") is None
    assert did_key_method(f"did:web:example.org#{PUBLIC}") is None


def test_each_department_has_a_did_web_under_the_public_address() -> None:
    dept = "11510104MB2C394793"
    local = IssuerDids("http://127.0.0.1:8000/")
    did = local.did(dept)
    assert did == f"did:web:127.0.0.1%3A8000:api:v1:licence:issuers:{dept}"
    assert local.dept_of(did) == dept and local.dept_of(did[:-1] + "X") is None
    assert local.dept_of(f"did:web:other.example:api:v1:licence:issuers:{dept}") is None
    proxied = IssuerDids("https://zwfw.example.gov.cn/ywtb")
    assert proxied.did(dept) == f"did:web:zwfw.example.gov.cn:ywtb:api:v1:licence:issuers:{dept}"
    url = proxied.status_list_url(dept)
    assert url == f"https://zwfw.example.gov.cn/ywtb/api/v1/licence/issuers/{dept}/credentials/status-list"
    assert proxied.dept_of_status_list(url) == dept and local.dept_of_status_list(url) is None
    document = proxied.document(dept, PUBLIC)
    assert document["assertionMethod"] == [f"{proxied.did(dept)}#{PUBLIC}"]
    with pytest.raises(ValueError):
        IssuerDids("zwfw.example.gov.cn")


def test_the_status_bitstring_sets_exactly_the_given_slots() -> None:
    encoded = credential_status.encode_list([0, 9, 131071])
    assert [i for i in (0, 1, 8, 9, 131070, 131071) if credential_status.bit_set(encoded, i)] == [
        0,
        9,
        131071,
    ]
    assert not credential_status.bit_set(credential_status.encode_list([]), 5)
    grown = credential_status.encode_list([131072])
    assert credential_status.bit_set(grown, 131072) and not credential_status.bit_set(grown, 262143)
    with pytest.raises(ValueError):
        credential_status.bit_set(encoded, 131072)
