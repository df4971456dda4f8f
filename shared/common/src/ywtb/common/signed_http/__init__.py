"""Signed JSON-over-HTTP exchanges with outside partners (the provincial platforms): the signature, the
seen-nonce stores, the JSON bodies and the httpx client. The ASGI side (`signed_http.asgi`) is imported apart,
so that an adapter never pulls in a web framework."""

from ywtb.common.signed_http.bodies import WireError, dumps, field, format_time, loads, objects, parse_time
from ywtb.common.signed_http.client import SignedClient, segment
from ywtb.common.signed_http.errors import PartnerRefused, PartnerUnavailable
from ywtb.common.signed_http.nonces import MemoryNonceStore, NonceStore
from ywtb.common.signed_http.signing import (
    MIN_KEY_BYTES,
    RESPONSE,
    WINDOW_S,
    HmacSigning,
    SignatureInvalid,
    check_key,
    signature,
)

__all__ = [
    "MIN_KEY_BYTES",
    "RESPONSE",
    "WINDOW_S",
    "HmacSigning",
    "MemoryNonceStore",
    "NonceStore",
    "PartnerRefused",
    "PartnerUnavailable",
    "SignatureInvalid",
    "SignedClient",
    "WireError",
    "check_key",
    "dumps",
    "field",
    "format_time",
    "loads",
    "objects",
    "parse_time",
    "segment",
    "signature",
]
