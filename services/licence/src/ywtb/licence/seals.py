"""Electronic seals (电子印章, GB/T 38540 style): SM2 signatures over SM3 with the default user id.

A seal key is an SM2 key pair on the recommended curve (GB/T 32918.5). Keys are hex: the private key
64 characters, the public key 128 characters x‖y without the "04" prefix (verify also accepts the
130-character "04"-prefixed form). Signatures are 128 hex characters r‖s (not DER). The digest signed is
SM3(Z_A ‖ M), Z_A computed with the default user id "1234567812345678" (gmssl's sign_with_sm3).

At rest the private key is encrypted (ywtb.common.pii, AES-GCM) under a key derived for "licence-seal",
with the department's credit code as associated data: a token copied to another department's row does
not decrypt.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gmssl import func, sm2, sm3  # type: ignore[import-untyped]

from ywtb.common.codes.credit_code import validate_credit_code
from ywtb.common.pii import decrypt, derive_key, encrypt

_CURVE = sm2.default_ecc_table
_N = int(_CURVE["n"], 16)
_P = int(_CURVE["p"], 16)
_A = int(_CURVE["a"], 16)
_B = int(_CURVE["b"], 16)
_KEY_PURPOSE = "licence-seal"

_PRIVATE_HEX = re.compile(r"[0-9a-f]{64}")
_PUBLIC_HEX = re.compile(r"[0-9a-f]{128}")
_SIGNATURE_HEX = re.compile(r"[0-9a-fA-F]{128}")


@dataclass(frozen=True)
class SealKey:
    """An SM2 key pair as lower-case hex; the private key is left out of repr."""

    private_key_hex: str = field(repr=False)
    public_key_hex: str

    def __post_init__(self) -> None:
        if not isinstance(self.private_key_hex, str) or not _PRIVATE_HEX.fullmatch(self.private_key_hex):
            raise ValueError("an SM2 private key is 64 lower-case hex characters")
        if not isinstance(self.public_key_hex, str) or not _PUBLIC_HEX.fullmatch(self.public_key_hex):
            raise ValueError("an SM2 public key is 128 lower-case hex characters x‖y")


def _crypt(private_key_hex: str, public_key_hex: str) -> Any:
    crypt = sm2.CryptSM2(private_key=private_key_hex, public_key="")
    # Set after construction: CryptSM2 strips a leading "04" with str.lstrip, which also eats the start
    # of a key whose x coordinate begins with 0 or 4.
    crypt.public_key = public_key_hex
    return crypt


def _private_scalar(private_key_hex: str) -> int:
    d = int(private_key_hex, 16)
    if not 1 <= d <= _N - 2:  # SM2 needs d + 1 invertible mod n
        raise ValueError("the SM2 private key is out of range")
    return d


def public_key_of(private_key_hex: str) -> str:
    """The public key (128 hex, x‖y) of a private key: d·G on the SM2 curve."""
    d = _private_scalar(private_key_hex)
    point = _crypt(private_key_hex, "")._kg(d, _CURVE["g"])
    if not point:
        raise ValueError("cannot derive the SM2 public key")
    return str(point).lower()


def seal_key_of(private_key_hex: str) -> SealKey:
    """The key pair of a private key given as 64 hex characters."""
    private = private_key_hex.strip().lower()
    if not _PRIVATE_HEX.fullmatch(private):
        raise ValueError("an SM2 private key is 64 hex characters")
    return SealKey(private_key_hex=private, public_key_hex=public_key_of(private))


def new_seal_key() -> SealKey:
    """A new random SM2 key pair (private key from `secrets`, in [1, n-2])."""
    return seal_key_of(f"{secrets.randbelow(_N - 2) + 1:064x}")


def sign(key: SealKey, data: bytes) -> str:
    """The SM2 signature of `data` (SM3 with Z_A, default user id) as 128 hex characters r‖s."""
    crypt = _crypt(key.private_key_hex, key.public_key_hex)
    while True:
        # Our own nonce: gmssl's default comes from `random`, not a cryptographic source.
        nonce = f"{secrets.randbelow(_N - 1) + 1:064x}"
        signature = crypt.sign_with_sm3(bytes(data), nonce)
        if signature:  # None on the (negligible) r = 0, r + k = n or s = 0: pick another nonce
            return str(signature)


def _public_point(public_key_hex: str) -> str | None:
    if not isinstance(public_key_hex, str):
        return None
    text = public_key_hex.strip().lower()
    if len(text) == 130 and text.startswith("04"):
        text = text[2:]
    if not _PUBLIC_HEX.fullmatch(text):
        return None
    x, y = int(text[:64], 16), int(text[64:], 16)
    if x >= _P or y >= _P or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        return None  # not a point of the curve
    return text


def verify(public_key_hex: str, data: bytes, signature_hex: str) -> bool:
    """True when `signature_hex` is a valid SM2 signature of `data` under the key; False for any malformed input."""
    try:
        public = _public_point(public_key_hex)
        if public is None or not isinstance(data, bytes | bytearray):
            return False
        if not isinstance(signature_hex, str) or not _SIGNATURE_HEX.fullmatch(signature_hex):
            return False
        r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
        if not (1 <= r < _N and 1 <= s < _N):  # gmssl does not check; s + n would verify too
            return False
        return bool(_crypt("", public).verify_with_sm3(signature_hex.lower(), bytes(data)))
    except Exception:  # gmssl raises on degenerate points; a signature that breaks it is not valid
        return False


def private_key_token(private_key: str, secret: bytes | str, purpose: str, dept: str) -> str:
    """A private key encrypted for storage in `dept`'s row under the key derived for `purpose` (the credit
    code is the associated data: a token copied to another department's row does not decrypt)."""
    dept_code = validate_credit_code(dept, "dept")
    return encrypt(private_key, derive_key(secret, purpose), dept_code.encode())


def private_key_of_token(token: str, secret: bytes | str, purpose: str, dept: str) -> str:
    """The private key of a token of private_key_token; ValueError for another dept, purpose or secret."""
    dept_code = validate_credit_code(dept, "dept")
    return decrypt(token, derive_key(secret, purpose), dept_code.encode())


def seal_key_to_token(key: SealKey, secret: bytes | str, dept: str) -> str:
    """The seal's private key encrypted for storage in `dept`'s row."""
    return private_key_token(key.private_key_hex, secret, _KEY_PURPOSE, dept)


def seal_key_from_token(token: str, secret: bytes | str, dept: str) -> SealKey:
    """The key pair from a token of seal_key_to_token; ValueError for another dept or secret, or tampering."""
    return seal_key_of(private_key_of_token(token, secret, _KEY_PURPOSE, dept))


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of `data` as 64 lower-case hex characters."""
    return str(sm3.sm3_hash(func.bytes_to_list(bytes(data))))


def canonical_bytes(mapping: Mapping[str, Any]) -> bytes:
    """The bytes a licence is signed over: JSON, keys sorted, no spaces, non-ASCII kept, UTF-8."""
    return json.dumps(
        dict(mapping), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
