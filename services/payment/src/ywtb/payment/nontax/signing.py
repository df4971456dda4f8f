"""The non-tax wire's signature: ywtb.common.signed_http's HMAC-SHA256 scheme on the X-Nontax-* headers.

signature = hex HMAC-SHA256(key, "\\n".join([method, path, timestamp, nonce, hex sha256(body)]));
a response is signed with method "RESPONSE" and the path of its request.
"""

from __future__ import annotations

from ywtb.common.signed_http.signing import (
    MIN_KEY_BYTES,
    RESPONSE,
    WINDOW_S,
    HmacSigning,
    SignatureInvalid,
    signature,
)
from ywtb.common.signed_http.signing import check_key as _check_key

NONTAX = HmacSigning("X-Nontax", window_s=WINDOW_S)
TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER = NONTAX.headers
sign = NONTAX.sign
verify = NONTAX.verify

__all__ = [
    "MIN_KEY_BYTES",
    "NONCE_HEADER",
    "NONTAX",
    "RESPONSE",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WINDOW_S",
    "SignatureInvalid",
    "check_key",
    "sign",
    "signature",
    "verify",
]


def check_key(key: str) -> str:
    """The key when it is long enough for HMAC-SHA256; ValueError otherwise."""
    return _check_key(key, "the non-tax platform key")
