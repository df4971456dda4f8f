"""PII helpers: GB 11643 check, masking in free text, keyed hashes and AES-GCM tokens."""

from __future__ import annotations

import pytest

from ywtb.common.pii import (
    decrypt,
    derive_key,
    encrypt,
    id_number_valid,
    keyed_hash,
    mask_id_number,
    mask_phone,
    mask_text,
)

VALID_ID = "110101199003074573"
VALID_ID_X = "11010519491231002X"  # the example in GB 11643-1999
WRONG_CHECK_ID = "110101199003074578"


def test_id_number_check_digit() -> None:
    assert id_number_valid(VALID_ID)
    assert id_number_valid(VALID_ID_X)
    assert id_number_valid(VALID_ID_X.lower())
    assert not id_number_valid(WRONG_CHECK_ID)
    assert not id_number_valid(VALID_ID[:-1])
    assert not id_number_valid("11010519491231002Y")
    assert not id_number_valid("")


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("110101199003074578") == "110101********4578"
    assert mask_id_number("123") == "***"


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_mask_text_masks_ids_and_phones_next_to_chinese() -> None:
    text = f"申请人身份证{VALID_ID}，电话13812345678；代办人{VALID_ID_X}"
    masked = mask_text(text)
    assert masked == "申请人身份证110101********4573，电话138****5678；代办人110105********002X"


def test_mask_text_phone_with_country_code() -> None:
    assert mask_text("tel +86 13912345678") == "tel +86 139****5678"
    assert mask_text("tel +8613912345678") == "tel +86139****5678"


def test_mask_text_leaves_case_numbers_and_longer_digit_runs() -> None:
    case_no = WRONG_CHECK_ID  # 18 characters shaped like an ID but failing the check digit
    assert mask_text(f"办件 {case_no} 已受理") == f"办件 {case_no} 已受理"
    assert mask_text("order 1381234567890") == "order 1381234567890"  # 13 digits, not a phone
    assert mask_text(f"x{VALID_ID}") == f"x{VALID_ID}"  # glued to letters: part of an identifier
    assert mask_text("12812345678") == "12812345678"  # second digit 2 is no mobile prefix
    assert mask_text("") == ""


def test_keyed_hash_is_stable_and_keyed() -> None:
    assert keyed_hash(VALID_ID, b"k1" * 16) == keyed_hash(VALID_ID, b"k1" * 16)
    assert keyed_hash(VALID_ID, b"k1" * 16) != keyed_hash(VALID_ID, b"k2" * 16)
    assert len(keyed_hash(VALID_ID, "text key")) == 64


def test_encrypt_round_trip_and_random_nonce() -> None:
    key = derive_key("configured-secret-value-0123456789", "pii-encrypt")
    token = encrypt(VALID_ID, key)
    assert token.startswith("v1.")
    assert VALID_ID not in token
    assert encrypt(VALID_ID, key) != token
    assert decrypt(token, key) == VALID_ID


def test_decrypt_refuses_wrong_key_tampering_and_wrong_context() -> None:
    key = derive_key("configured-secret-value-0123456789", "pii-encrypt")
    other = derive_key("configured-secret-value-0123456789", "pii-hash")
    assert key != other
    token = encrypt("13812345678", key, associated_data=b"person:42")
    with pytest.raises(ValueError):
        decrypt(token, other, associated_data=b"person:42")
    with pytest.raises(ValueError):
        decrypt(token, key, associated_data=b"person:43")
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(ValueError):
        decrypt(tampered, key, associated_data=b"person:42")
    with pytest.raises(ValueError):
        decrypt("garbage", key)
    assert decrypt(token, key, associated_data=b"person:42") == "13812345678"
