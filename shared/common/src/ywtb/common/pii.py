"""Personal data helpers: masking for logs and display, keyed hashes and encryption for storage."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# GB 11643-1999: weights of the first 17 digits and the check character for each sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dXx]")

# Lookarounds instead of \b: Chinese characters count as word characters, so "身份证110101..." has no \b.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z+])(\+?86[- ]?)?(1[3-9]\d{9})(?![0-9A-Za-z])")

_TOKEN_VERSION = "v1"
_NONCE_BYTES = 12


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_valid(value: str) -> bool:
    """True when `value` is an 18-character resident ID number with a correct GB 11643 check character."""
    if not _ID_SHAPE.fullmatch(value):
        return False
    return id_check_char(value[:17]) == value[17].upper()


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[len(value) - keep_tail :]


def mask_id_number(value: str) -> str:
    """Mask an ID number keeping the 6-digit region code and the last 4 characters: 110101********4578."""
    return _mask(value, 6, 4)


def mask_phone(value: str) -> str:
    """Mask a mobile number keeping the first 3 and last 4 digits: 138****5678."""
    return _mask(value, 3, 4)


def mask_name(name: str, min_stars: int = 1) -> str:
    """Mask a person's name keeping the surname: 张三 → 张*; at least `min_stars` stars ("" stays "")."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, min_stars) if name else ""


def _mask_id_match(match: re.Match[str]) -> str:
    # Case numbers also start with a region code and a date; mask only what passes the check digit.
    text = match.group(0)
    return mask_id_number(text) if id_number_valid(text) else text


def _mask_phone_match(match: re.Match[str]) -> str:
    return (match.group(1) or "") + mask_phone(match.group(2))


def mask_text(text: str) -> str:
    """Mask every valid resident ID number and mainland mobile number found in free text."""
    if not text:
        return text
    return _PHONE_IN_TEXT.sub(_mask_phone_match, _ID_IN_TEXT.sub(_mask_id_match, text))


def _key_bytes(key: bytes | str) -> bytes:
    return key.encode() if isinstance(key, str) else key


def derive_key(secret: bytes | str, purpose: str, length: int = 32) -> bytes:
    """Derive a separate key for one purpose (e.g. "pii-hash", "pii-encrypt") from a configured secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"ywtb:{purpose}".encode())
    return hkdf.derive(_key_bytes(secret))


def keyed_hash(value: str, key: bytes | str) -> str:
    """HMAC-SHA256 of `value` as hex, for exact-match lookup of an encrypted column; normalise `value` first."""
    return hmac.new(_key_bytes(key), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str, key: bytes, associated_data: bytes | None = None) -> str:
    """Encrypt with AES-GCM (key of 16, 24 or 32 bytes) into a text token "v1.<base64url nonce+ciphertext>"."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), associated_data)
    return f"{_TOKEN_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def decrypt(token: str, key: bytes, associated_data: bytes | None = None) -> str:
    """Decrypt a token made by encrypt; ValueError when the token is malformed, tampered or the key is wrong."""
    version, _, body = token.partition(".")
    if version != _TOKEN_VERSION or not body:
        raise ValueError("not a ywtb encrypted token")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise ValueError("not a ywtb encrypted token") from exc
    if len(raw) <= _NONCE_BYTES:
        raise ValueError("not a ywtb encrypted token")
    try:
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated_data)
    except InvalidTag as exc:
        raise ValueError("cannot decrypt: wrong key or tampered token") from exc
    return plain.decode()


@dataclass(frozen=True)
class PiiKeys:
    """A service's keys for personal data, derived from its PII secret: encryption at rest, lookup hashes."""

    encryption: bytes
    lookup: bytes

    @classmethod
    def from_secret(cls, secret: str, owner: str) -> PiiKeys:
        """Both keys of `owner` (the service name) from one secret."""
        return cls(derive_key(secret, f"{owner}-pii-encryption"), derive_key(secret, f"{owner}-pii-lookup"))

    def seal(self, value: str, context: str) -> str:
        """Encrypt a value bound to its context (e.g. the column and row id)."""
        return encrypt(value, self.encryption, context.encode())

    def open(self, token: str, context: str) -> str:
        """Decrypt a sealed value."""
        return decrypt(token, self.encryption, context.encode())

    def lookup_hash(self, value: str) -> str:
        """Keyed hash for equality lookups of a value that is stored encrypted."""
        return keyed_hash(value, self.lookup)
