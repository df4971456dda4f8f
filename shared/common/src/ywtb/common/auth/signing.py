"""Signed principal propagation between services: HMAC-SHA256 over the claims and an issued-at."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Mapping

from ywtb.common.auth.principal import Principal
from ywtb.common.errors import ConfigError, Unauthenticated

PRINCIPAL_HEADER = "x-ywtb-principal"
SIGNATURE_HEADER = "x-ywtb-principal-sig"
ISSUED_AT_HEADER = "x-ywtb-principal-iat"
SIGNED_HEADERS = (PRINCIPAL_HEADER, SIGNATURE_HEADER, ISSUED_AT_HEADER)

MIN_KEY_BYTES = 16
MAX_CLOCK_SKEW_S = 30
_VERSION = "v1"
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_IAT = re.compile(r"^[0-9]{1,12}$")

Metadata = Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check_key(key: bytes) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(message_en=f"the internal signing key must have at least {MIN_KEY_BYTES} bytes")
    return key


def _mac(key: bytes, payload: str, iat: str) -> str:
    message = f"{_VERSION}.{iat}.{payload}".encode("ascii")
    return _b64encode(hmac.new(key, message, hashlib.sha256).digest())


def _as_dict(metadata: Metadata) -> dict[str, str]:
    items = metadata.items() if isinstance(metadata, Mapping) else metadata
    out: dict[str, str] = {}
    for key, value in items:
        if key in SIGNED_HEADERS and isinstance(value, str):
            out[key] = value
    return out


def has_signed_principal(metadata: Metadata) -> bool:
    """True when the metadata carries any of the signed-principal headers."""
    return bool(_as_dict(metadata))


def sign_principal(principal: Principal, key: bytes, now: float | None = None) -> dict[str, str]:
    """The metadata that carries `principal` to another service, signed with the internal key."""
    key = _check_key(key)
    claims = json.dumps(principal.to_claims(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    payload = _b64encode(claims.encode("utf-8"))
    iat = str(int(time.time() if now is None else now))
    return {PRINCIPAL_HEADER: payload, ISSUED_AT_HEADER: iat, SIGNATURE_HEADER: _mac(key, payload, iat)}


def verify_principal(
    metadata: Metadata, key: bytes, now: float | None = None, max_age_s: float = 300
) -> Principal:
    """The principal of signed metadata; Unauthenticated when missing, forged or expired."""
    key = _check_key(key)
    md = _as_dict(metadata)
    payload, iat, sig = (md.get(h, "") for h in (PRINCIPAL_HEADER, ISSUED_AT_HEADER, SIGNATURE_HEADER))
    if not (payload and iat and sig):
        raise Unauthenticated(message_en="missing signed principal")
    if not (_B64URL.match(payload) and _B64URL.match(sig) and _IAT.match(iat)):
        raise Unauthenticated(message_en="malformed signed principal")
    if not hmac.compare_digest(_mac(key, payload, iat), sig):
        raise Unauthenticated(message_en="bad principal signature")
    age = (time.time() if now is None else now) - int(iat)
    if age > max_age_s:
        raise Unauthenticated(message_en="signed principal expired")
    if age < -MAX_CLOCK_SKEW_S:
        raise Unauthenticated(message_en="signed principal issued in the future")
    try:
        claims = json.loads(_b64decode(payload).decode("utf-8"))
        if not isinstance(claims, dict):
            raise ValueError("claims are not an object")
        return Principal.from_claims(claims)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise Unauthenticated(message_en="unreadable principal claims") from exc
