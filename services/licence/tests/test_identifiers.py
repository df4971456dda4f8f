"""E-licence identifiers: the ISO 7064 MOD 37,36 check, build and parse, and every malformed form refused."""

from __future__ import annotations

import dataclasses

import pytest

from ywtb.common.codes import make_credit_code
from ywtb.common.errors import InvalidArgument
from ywtb.licence.identifiers import (
    ALPHABET,
    PREFIX,
    LicenceIdentifier,
    build_identifier,
    mod37_36_check,
    mod37_36_valid,
    parse_identifier,
)

DEPT = "11510104MB2C394793"
TYPE_CODE = f"{DEPT}001"
ISSUER = make_credit_code("91510104MA6123456")  # 91510104MA6123454G
SERIAL = "00000000002026000123"
IDENTIFIER = build_identifier(TYPE_CODE, ISSUER, "2026000123")
TEXT = IDENTIFIER.text


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("A12425GABC1234002", "M"),  # python-stdnum's doctest
        # By hand, M = 36, p starts at 36:
        # A=10: s=(36+10)%36=10, p=20; B=11: s=31, p=62%37=25; C=12: s=37%36=1, p=2; (2+35)%36=1 → Z
        ("ABC", "Z"),
        # 1: s=1, p=2; 2: s=4, p=8; 3: s=11, p=22; 4: s=26, p=52%37=15; (15+22)%36=1 → 22 = M
        ("1234", "M"),
        # 0: s=36%36=0 → 36, p=72%37=35; (35+2)%36=1 → 2
        ("0", "2"),
        # then 0: s=35, p=70%37=33; (33+4)%36=1 → 4
        ("00", "4"),
    ],
)
def test_mod37_36_vectors(body: str, check: str) -> None:
    assert mod37_36_check(body) == check
    assert mod37_36_valid(body + check)
    others = [c for c in ALPHABET if c != check]
    assert not any(mod37_36_valid(body + c) for c in others)


def test_mod37_36_refuses_characters_outside_its_alphabet() -> None:
    with pytest.raises(ValueError):
        mod37_36_check("abc")
    assert not mod37_36_valid("a12425GABC1234002M")
    assert not mod37_36_valid("")
    assert not mod37_36_valid("A12425-GABC1234002M")


def test_mod37_36_catches_every_single_substitution_and_adjacent_transposition() -> None:
    good = "A12425GABC1234002M"
    for i, char in enumerate(good):
        for other in ALPHABET:
            if other != char:
                assert not mod37_36_valid(good[:i] + other + good[i + 1 :]), (i, other)
    for i in range(len(good) - 1):
        if good[i] != good[i + 1]:
            assert not mod37_36_valid(good[:i] + good[i + 1] + good[i] + good[i + 2 :]), i


def test_build_pads_the_serial_and_computes_the_check_over_the_parts_without_dots() -> None:
    assert (IDENTIFIER.type_code, IDENTIFIER.issuer_code, IDENTIFIER.serial, IDENTIFIER.version) == (
        TYPE_CODE,
        ISSUER,
        SERIAL,
        1,
    )
    body = f"{TYPE_CODE}{ISSUER}{SERIAL}001"
    assert f"{PREFIX}.{TYPE_CODE}.{ISSUER}.{SERIAL}.001.{mod37_36_check(body)}" == TEXT
    assert TEXT == "1.2.156.3005.2.11510104MB2C394793001.91510104MA6123454G.00000000002026000123.001.2"
    assert len(TEXT) == 82
    assert str(IDENTIFIER) == TEXT


def test_parse_round_trips_and_normalises_case_and_spaces() -> None:
    assert parse_identifier(TEXT) == IDENTIFIER
    assert parse_identifier(f"  {TEXT.lower()} ") == IDENTIFIER
    second = build_identifier(TYPE_CODE.lower(), ISSUER, "a1", version=12)
    assert second.serial == "000000000000000000A1"
    assert second.text.split(".")[-2] == "012"
    assert parse_identifier(second.text) == second
    assert parse_identifier(second.text).text == second.text


def _refused(text: object) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        parse_identifier(text)  # type: ignore[arg-type]
    error = caught.value
    assert error.code == "LICENCE_ID_MALFORMED"
    assert error.message == "证照标识格式不正确，请核对后重新输入。"
    assert error.to_dict()["code"] == "LICENCE_ID_MALFORMED"
    return error


def _with_check(prefix: str, type_code: str, issuer: str, serial: str, version: str) -> str:
    """A text with a correct check character, so only the named defect is wrong."""
    body = f"{type_code}{issuer}{serial}{version}".upper()  # "ſ" gets the check of "S"
    check = mod37_36_check(body) if all(c in ALPHABET for c in body) else "0"
    return f"{prefix}.{type_code}.{issuer}.{serial}.{version}.{check}"


BAD_CREDIT = DEPT[:17] + ("0" if DEPT[17] != "0" else "1")  # wrong GB 32100 check character


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1.2.156.3005.2",
        TEXT[:-2],  # no check character
        TEXT + "0",  # two check characters
        TEXT.replace(PREFIX, "1.2.156.3005.3"),  # wrong prefix
        TEXT.replace(PREFIX, "1.2.156.3005.2.0"),
        TEXT.replace(".", "-"),
        TEXT.replace(".", "", 1),
        TEXT + ".",
        "." + TEXT,
        TEXT.replace(".", "..", 5),
        _with_check(PREFIX, TYPE_CODE[:-1], ISSUER, SERIAL, "001"),  # type code of 20
        _with_check(PREFIX, TYPE_CODE + "1", ISSUER, SERIAL, "001"),  # type code of 22
        _with_check(PREFIX, f"{DEPT}00A", ISSUER, SERIAL, "001"),  # sequence not digits
        _with_check(PREFIX, f"{BAD_CREDIT}001", ISSUER, SERIAL, "001"),  # bad credit code in the type
        _with_check(PREFIX, TYPE_CODE, ISSUER[:-1], SERIAL, "001"),  # issuer of 17
        _with_check(PREFIX, TYPE_CODE, ISSUER + "0", SERIAL, "001"),  # issuer of 19
        _with_check(PREFIX, TYPE_CODE, BAD_CREDIT, SERIAL, "001"),  # bad issuer credit code
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL[1:], "001"),  # serial of 19
        _with_check(PREFIX, TYPE_CODE, ISSUER, "0" + SERIAL, "001"),  # serial of 21
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL[:-1] + "-", "001"),  # bad character in the serial
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL[:-1] + "É", "001"),
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL[:-1] + "ſ", "001"),  # "ſ".upper() == "S"
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL, "000"),  # version 000
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL, "01"),
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL, "0001"),
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL, "00A"),
        _with_check(PREFIX, TYPE_CODE, ISSUER, SERIAL, "٠٠١"),  # Arabic-Indic digits
        TEXT[:-1] + ("0" if TEXT[-1] != "0" else "1"),  # wrong check character
        TEXT[:-1] + "-",
        TEXT.replace(".001.", ".002."),  # another version, check left as it was
        None,
        12345,
    ],
)
def test_malformed_identifiers_are_refused(text: object) -> None:
    _refused(text)


def test_every_one_character_change_fails_the_check() -> None:
    positions = [i for i, c in enumerate(TEXT) if i >= len(PREFIX) + 1 and c != "."]
    for i in positions:
        for other in ALPHABET:
            if other == TEXT[i]:
                continue
            changed = TEXT[:i] + other + TEXT[i + 1 :]
            _refused(changed)


def test_build_and_construct_refuse_bad_parts() -> None:
    for type_code, issuer, serial, version in [
        (TYPE_CODE, ISSUER, "", 1),
        (TYPE_CODE, ISSUER, "0" * 21, 1),
        (TYPE_CODE, ISSUER, "12-3", 1),
        (TYPE_CODE, ISSUER, "1", 0),
        (TYPE_CODE, ISSUER, "1", 1000),
        (TYPE_CODE, ISSUER, "1", True),
        (TYPE_CODE, BAD_CREDIT, "1", 1),
        (f"{BAD_CREDIT}001", ISSUER, "1", 1),
        (DEPT, ISSUER, "1", 1),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            build_identifier(type_code, issuer, serial, version)
        assert caught.value.code == "LICENCE_ID_MALFORMED", (type_code, issuer, serial, version)
    with pytest.raises(InvalidArgument):
        LicenceIdentifier(TYPE_CODE, ISSUER, "2026000123", 1)  # the class takes the padded serial only
    with pytest.raises(InvalidArgument):
        dataclasses.replace(IDENTIFIER, version=0)
