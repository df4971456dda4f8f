"""Ed25519 keys as W3C Multikey (multibase base58btc with a multicodec prefix) and did:key identifiers."""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

BASE58BTC = "z"
ED25519_PUBLIC = b"\xed\x01"
ED25519_SECRET = b"\x80\x26"
DID_KEY = "did:key:"


def encode_multibase(data: bytes) -> str:
    """Multibase base58btc: 'z' and the base58 of the bytes."""
    return BASE58BTC + base58.b58encode(data).decode()


def decode_multibase(text: str) -> bytes | None:
    """The bytes of a base58btc multibase string, or None when it is not one."""
    if not isinstance(text, str) or not text.startswith(BASE58BTC) or len(text) < 2:
        return None
    try:
        return base58.b58decode(text[1:])
    except ValueError:
        return None


def public_multibase(private_key: Ed25519PrivateKey) -> str:
    """The Multikey publicKeyMultibase of a key pair."""
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_multibase(ED25519_PUBLIC + raw)


def public_key_bytes(public_key_multibase: str) -> bytes | None:
    """The 32 raw bytes of an Ed25519 publicKeyMultibase, or None when it is not one."""
    data = decode_multibase(public_key_multibase)
    if data is None or not data.startswith(ED25519_PUBLIC) or len(data) != 34:
        return None
    return data[2:]


def private_key_of_multibase(secret_key_multibase: str) -> Ed25519PrivateKey:
    """An Ed25519 key pair from its secretKeyMultibase (the spec's test vectors give keys so)."""
    data = decode_multibase(secret_key_multibase)
    if data is None or not data.startswith(ED25519_SECRET) or len(data) != 34:
        raise ValueError("not an Ed25519 secretKeyMultibase")
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def did_key_method(verification_method: str) -> tuple[str, bytes] | None:
    """(controller DID, public key) of a did:key verification method did:key:z…#z…, or None."""
    did, _, fragment = verification_method.partition("#")
    if not did.startswith(DID_KEY):
        return None
    key = did[len(DID_KEY) :]
    raw = public_key_bytes(key)
    if raw is None or fragment not in ("", key):
        return None
    return did, raw
