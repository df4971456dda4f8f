"""The wire's signature (both sides): HMAC-SHA256 over method, path, timestamp, nonce and the body's hash.

signature = hex HMAC-SHA256(key, "\\n".join([method, path, timestamp, nonce, hex sha256(body)]));
a response is signed with method "RESPONSE" and the path of its request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping

from ywtb.common.pii import keyed_hash
from ywtb.payment.nontax.nonces import NonceStore

TIMESTAMP_HEADER = "X-Nontax-Timestamp"
NONCE_HEADER = "X-Nontax-Nonce"
SIGNATURE_HEADER = "X-Nontax-Signature"
RESPONSE = "RESPONSE"
WINDOW_S = 300
MIN_KEY_BYTES = 16

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


class SignatureInvalid(Exception):
    """A message's signature headers are missing, malformed, forged, out of the window or replayed."""


def check_key(key: str) -> str:
    """The key when it is long enough for HMAC-SHA256; ValueError otherwise."""
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise ValueError(f"the non-tax platform key must have at least {MIN_KEY_BYTES} bytes")
    return key


def signature(key: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of one message."""
    canonical = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return keyed_hash(canonical, key)


def sign(key: str, method: str, path: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The three headers that sign a message (a fresh nonce each call)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return {
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(key, method, path, timestamp, nonce, body),
    }


def verify(
    key: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    nonces: NonceStore | None = None,
    now: float | None = None,
    window_s: int = WINDOW_S,
) -> None:
    """Accept a signed message or raise SignatureInvalid; with `nonces`, a nonce seen in the window is refused."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp, nonce, sig = (
        lowered.get(h.lower(), "") for h in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
    )
    if not (timestamp and nonce and sig):
        raise SignatureInvalid("missing signature headers")
    if not (_TIMESTAMP.fullmatch(timestamp) and _NONCE.fullmatch(nonce) and _SIGNATURE.fullmatch(sig)):
        raise SignatureInvalid("malformed signature headers")
    if not hmac.compare_digest(signature(key, method, path, timestamp, nonce, body), sig):
        raise SignatureInvalid("signature does not verify")
    skew = (time.time() if now is None else now) - int(timestamp)
    if abs(skew) > window_s:
        raise SignatureInvalid(f"timestamp {skew:+.0f}s off (window {window_s}s)")
    # Remembered only once the signature verifies: a forger cannot burn the nonces of real messages.
    if nonces is not None and not nonces.remember(nonce, ttl_s=2 * window_s):
        raise SignatureInvalid("nonce already seen (replay)")
