"""ywtb.common.signed_http: one scheme, its headers named by each partner's prefix (the wires' own tests check
the scheme through their bindings: services/payment/tests/test_nontax_wire.py, the evaluation simulator's)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ywtb.common.signed_http import HmacSigning, MemoryNonceStore, SignatureInvalid, check_key, objects
from ywtb.common.signed_http.bodies import WireError

KEY = "a-shared-test-key-0123456789"
BODY = b'{"reports":[]}'


def test_the_headers_are_named_by_the_prefix_and_sign_the_documented_formula() -> None:
    haocp = HmacSigning("X-Haocp")
    assert haocp.headers == ("X-Haocp-Timestamp", "X-Haocp-Nonce", "X-Haocp-Signature")
    headers = haocp.sign(KEY, "POST", "/v1/reports", BODY)
    assert set(headers) == set(haocp.headers)
    canonical = "\n".join(
        [
            "POST",
            "/v1/reports",
            headers["X-Haocp-Timestamp"],
            headers["X-Haocp-Nonce"],
            hashlib.sha256(BODY).hexdigest(),
        ]
    )
    assert (
        headers["X-Haocp-Signature"] == hmac.new(KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    )
    haocp.verify(KEY, "POST", "/v1/reports", BODY, headers, nonces=MemoryNonceStore())


def test_a_message_signed_for_one_partner_is_missing_its_headers_for_another() -> None:
    headers = HmacSigning("X-Nontax").sign(KEY, "POST", "/v1/reports", BODY)
    with pytest.raises(SignatureInvalid, match="missing"):
        HmacSigning("X-Haocp").verify(KEY, "POST", "/v1/reports", BODY, headers)


def test_the_window_is_the_wires() -> None:
    tight = HmacSigning("X-Haocp", window_s=10)
    headers = tight.sign(KEY, "GET", "/v1/faults", b"", now=1_000_000)
    tight.verify(KEY, "GET", "/v1/faults", b"", headers, now=1_000_009)
    with pytest.raises(SignatureInvalid, match="window 10s"):
        tight.verify(KEY, "GET", "/v1/faults", b"", headers, now=1_000_011)


@pytest.mark.parametrize("prefix", ["Haocp", "X-", "X-Ha ocp", "x-haocp-"])
def test_a_prefix_not_of_the_form_x_name_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="X-<Name>"):
        HmacSigning(prefix)


def test_a_short_key_is_refused_naming_whose() -> None:
    with pytest.raises(ValueError, match="the province key must have at least 16 bytes"):
        check_key("short", "the province key")


def test_a_list_of_objects_is_checked() -> None:
    assert objects({"reports": [{}]}, "reports") == [{}]
    for wrong in ({"reports": [1]}, {"reports": {}}, {}):
        with pytest.raises(WireError):
            objects(wrong, "reports")
