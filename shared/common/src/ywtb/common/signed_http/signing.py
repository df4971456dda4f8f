"""The signature of a partner's wire (both sides): HMAC-SHA256 over method, path, timestamp, nonce, body hash.

signature = hex HMAC-SHA256(key, "\\n".join([method, path, timestamp, nonce, hex sha256(body)]));
a response is signed with method "RESPONSE" and the path of its request. The three headers are named by
the partner's prefix: <prefix>-Timestamp, <prefix>-Nonce, <prefix>-Signature (e.g. X-Nontax-Signature).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping

from ywtb.common.pii import keyed_hash
from ywtb.common.signed_http.nonces import NonceStore

RESPONSE = "RESPONSE"
WINDOW_S = 300
MIN_KEY_BYTES = 16

_PREFIX = re.compile(r"X-[A-Za-z][A-Za-z0-9]{1,30}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


class SignatureInvalid(Exception):
    """A message's signature headers are missing, malformed, forged, out of the window or replayed."""


def check_key(key: str, what: str = "the shared key") -> str:
    """The key when it is long enough for HMAC-SHA256; ValueError naming `what` otherwise."""
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise ValueError(f"{what} must have at least {MIN_KEY_BYTES} bytes")
    return key


def signature(key: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of one message."""
    canonical = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return keyed_hash(canonical, key)


class HmacSigning:
    """One wire's signature headers (<prefix>-Timestamp, -Nonce, -Signature) and its time window."""

    def __init__(self, prefix: str, *, window_s: int = WINDOW_S) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"header prefix {prefix!r}: expected X-<Name>")
        self.prefix = prefix
        self.window_s = window_s
        self.timestamp_header = f"{prefix}-Timestamp"
        self.nonce_header = f"{prefix}-Nonce"
        self.signature_header = f"{prefix}-Signature"

    @property
    def headers(self) -> tuple[str, str, str]:
        """The timestamp, nonce and signature header names."""
        return self.timestamp_header, self.nonce_header, self.signature_header

    def sign(
        self, key: str, method: str, path: str, body: bytes, *, now: float | None = None
    ) -> dict[str, str]:
        """The three headers that sign a message (a fresh nonce each call)."""
        timestamp = str(int(time.time() if now is None else now))
        nonce = secrets.token_hex(16)
        return {
            self.timestamp_header: timestamp,
            self.nonce_header: nonce,
            self.signature_header: signature(key, method, path, timestamp, nonce, body),
        }

    def verify(
        self,
        key: str,
        method: str,
        path: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        nonces: NonceStore | None = None,
        now: float | None = None,
    ) -> None:
        """Accept a signed message or raise SignatureInvalid; with `nonces`, a nonce seen in the window is refused."""
        lowered = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce, sig = (lowered.get(h.lower(), "") for h in self.headers)
        if not (timestamp and nonce and sig):
            raise SignatureInvalid("missing signature headers")
        if not (_TIMESTAMP.fullmatch(timestamp) and _NONCE.fullmatch(nonce) and _SIGNATURE.fullmatch(sig)):
            raise SignatureInvalid("malformed signature headers")
        if not hmac.compare_digest(signature(key, method, path, timestamp, nonce, body), sig):
            raise SignatureInvalid("signature does not verify")
        skew = (time.time() if now is None else now) - int(timestamp)
        if abs(skew) > self.window_s:
            raise SignatureInvalid(f"timestamp {skew:+.0f}s off (window {self.window_s}s)")
        # Remembered only once the signature verifies: a forger cannot burn the nonces of real messages.
        if nonces is not None and not nonces.remember(nonce, ttl_s=2 * self.window_s):
            raise SignatureInvalid("nonce already seen (replay)")
