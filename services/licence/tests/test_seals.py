"""Electronic seals: SM3, SM2 sign/verify (with an OpenSSL-made vector), and the seal key encrypted at rest."""

from __future__ import annotations

import pytest

from ywtb.common.errors import InvalidArgument
from ywtb.licence.seals import (
    SealKey,
    canonical_bytes,
    new_seal_key,
    public_key_of,
    seal_key_from_token,
    seal_key_of,
    seal_key_to_token,
    sign,
    sm3_hex,
    verify,
)

DEPT = "11510104MB2C394793"
OTHER_DEPT = "11510105MB1D571236"
SECRET = "test-secret-of-the-licence-service"
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)

# Made with OpenSSL 3.0: genpkey -algorithm SM2; pkeyutl -sign -rawin -digest sm3
# -pkeyopt distid:1234567812345678 over the UTF-8 of {"licence":"营业执照"}; DER (r, s) written as r‖s.
OPENSSL_PRIVATE = "d9f212de4bbbdc23e07874534f8262d77ff642cec736856d4c1764dfab2aa861"
OPENSSL_PUBLIC = (
    "5d9cac1e235d22f282752abf73c6d7159255c92e6114a248472f518ccf56c42f"
    "e9f3f20e142f378761ea543a7ec4d83ddbb9e1a228488ed4ff85480aac956e68"
)
OPENSSL_SIGNATURE = (
    "6E3B38A534CA0992A6DDA04EBBD399535BE295B7CA942A20E399CBE7541AC4E2"
    "1B8B14CCF1F5018FC9D82669E0D22A98BF0086FE271C0A4AC11A34CF005D99D5"
)
OPENSSL_MESSAGE = '{"licence":"营业执照"}'.encode()

DATA = canonical_bytes({"identifier": "1.2.156.3005.2.X", "holder": "成都市锦江区示例科技有限公司", "n": 1})


@pytest.fixture(scope="module")
def key() -> SealKey:
    return new_seal_key()


def _flip_hex(text: str, index: int) -> str:
    return text[:index] + ("1" if text[index] != "1" else "2") + text[index + 1 :]


def test_sm3_vectors_of_gb_t_32905() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_canonical_bytes_sorts_keys_without_spaces_in_utf8() -> None:
    assert canonical_bytes({"b": 1, "a": ["营业执照", None], "c": {"z": True, "y": 1.5}}) == (
        '{"a":["营业执照",null],"b":1,"c":{"y":1.5,"z":true}}'.encode()
    )
    assert canonical_bytes({"a": 1, "b": 2}) == canonical_bytes({"b": 2, "a": 1})
    with pytest.raises(ValueError):
        canonical_bytes({"x": float("nan")})


def test_new_keys_are_random_and_their_public_key_is_derived(key: SealKey) -> None:
    other = new_seal_key()
    assert other.private_key_hex != key.private_key_hex
    assert public_key_of(key.private_key_hex) == key.public_key_hex
    assert (len(key.private_key_hex), len(key.public_key_hex)) == (64, 128)
    assert key.private_key_hex not in repr(key)
    assert seal_key_of(OPENSSL_PRIVATE).public_key_hex == OPENSSL_PUBLIC  # d·G as OpenSSL computed it


def test_a_signature_made_by_openssl_verifies() -> None:
    assert canonical_bytes({"licence": "营业执照"}) == OPENSSL_MESSAGE
    assert verify(OPENSSL_PUBLIC, OPENSSL_MESSAGE, OPENSSL_SIGNATURE)
    assert verify("04" + OPENSSL_PUBLIC, OPENSSL_MESSAGE, OPENSSL_SIGNATURE.lower())
    assert not verify(OPENSSL_PUBLIC, OPENSSL_MESSAGE + b" ", OPENSSL_SIGNATURE)


def test_a_signature_verifies_and_is_randomised(key: SealKey) -> None:
    signature = sign(key, DATA)
    assert len(signature) == 128
    assert verify(key.public_key_hex, DATA, signature)
    assert sign(key, DATA) != signature  # a fresh nonce each time
    assert verify(key.public_key_hex, DATA, sign(key, DATA))


def test_a_public_key_starting_with_04_is_not_mangled() -> None:
    # gmssl's CryptSM2 strips a leading "04" with lstrip; the key of d = 11 has x = 04b3...
    key = seal_key_of(f"{11:064x}")
    assert key.public_key_hex.startswith("04")
    assert verify(key.public_key_hex, DATA, sign(key, DATA))


def test_a_one_byte_change_of_the_data_fails(key: SealKey) -> None:
    signature = sign(key, DATA)
    for i in (0, len(DATA) // 2, len(DATA) - 1):
        changed = DATA[:i] + bytes([DATA[i] ^ 0x01]) + DATA[i + 1 :]
        assert not verify(key.public_key_hex, changed, signature)
    assert not verify(key.public_key_hex, DATA + b"\x00", signature)
    assert not verify(key.public_key_hex, DATA[:-1], signature)


def test_a_one_byte_change_of_the_signature_fails(key: SealKey) -> None:
    signature = sign(key, DATA)
    raw = bytes.fromhex(signature)
    for i in range(len(raw)):
        changed = raw[:i] + bytes([raw[i] ^ 0x80]) + raw[i + 1 :]
        assert not verify(key.public_key_hex, DATA, changed.hex()), i


def test_s_plus_n_is_not_accepted(key: SealKey) -> None:
    signature = sign(key, DATA)
    r, s = signature[:64], int(signature[64:], 16)
    if s + N < 2**256:  # otherwise not expressible in 64 hex characters at all
        assert not verify(key.public_key_hex, DATA, f"{r}{s + N:064x}")


def test_a_wrong_public_key_fails(key: SealKey) -> None:
    signature = sign(key, DATA)
    assert not verify(new_seal_key().public_key_hex, DATA, signature)
    assert not verify(OPENSSL_PUBLIC, DATA, signature)
    assert not verify(_flip_hex(key.public_key_hex, 127), DATA, signature)  # off the curve


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "zz" * 64,
        "00" * 64,
        "ab" * 63,
        "ab" * 65,
        "0x" + "ab" * 63,
        " " + "ab" * 64,
        "ａｂ" * 64,  # full-width letters
        f"{N:064x}{1:064x}",  # r = n
        f"{1:064x}{0:064x}",  # s = 0
        None,
        b"\xab" * 64,
        12345,
    ],
)
def test_malformed_signatures_return_false(key: SealKey, signature: object) -> None:
    assert verify(key.public_key_hex, DATA, signature) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("public", ["", "zz" * 64, "ab" * 63, "05" + "ab" * 64, None, "00" * 64])
def test_malformed_public_keys_return_false(key: SealKey, public: object) -> None:
    assert verify(public, DATA, sign(key, DATA)) is False  # type: ignore[arg-type]


def test_non_bytes_data_returns_false(key: SealKey) -> None:
    assert verify(key.public_key_hex, DATA.decode(), sign(key, DATA)) is False  # type: ignore[arg-type]


def test_the_seal_key_round_trips_encrypted_at_rest(key: SealKey) -> None:
    token = seal_key_to_token(key, SECRET, DEPT)
    assert key.private_key_hex not in token
    assert token != seal_key_to_token(key, SECRET, DEPT)  # a fresh nonce each time
    assert seal_key_from_token(token, SECRET, DEPT) == key
    assert seal_key_from_token(token, SECRET.encode(), f" {DEPT.lower()} ") == key


def test_the_token_fails_in_another_department_or_with_another_secret(key: SealKey) -> None:
    token = seal_key_to_token(key, SECRET, DEPT)
    with pytest.raises(ValueError):
        seal_key_from_token(token, SECRET, OTHER_DEPT)
    with pytest.raises(ValueError):
        seal_key_from_token(token, SECRET + "x", DEPT)
    with pytest.raises(ValueError):
        seal_key_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), SECRET, DEPT)
    with pytest.raises(InvalidArgument):
        seal_key_to_token(key, SECRET, "not-a-credit-code")


def test_seal_key_refuses_malformed_hex() -> None:
    with pytest.raises(ValueError):
        SealKey(private_key_hex="ab", public_key_hex="cd" * 64)
    with pytest.raises(ValueError):
        seal_key_of("00" * 32)  # d = 0
    with pytest.raises(ValueError):
        seal_key_of(f"{N - 1:064x}")  # d = n - 1: d + 1 is not invertible
