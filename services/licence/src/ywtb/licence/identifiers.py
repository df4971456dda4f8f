"""E-licence identifiers (电子证照标识, GB/T 36904) and their ISO 7064 MOD 37,36 check character.

An identifier is ``1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>``:

- ``1.2.156.3005.2``  the fixed OID prefix of e-licences
- ``<type>``     licence type code: the 18-character unified social credit code of the defining
                 department followed by a 3-digit sequence (001-999), 21 characters
- ``<issuer>``   the 18-character unified social credit code of the issuing body
- ``<serial>``   the issuer's serial number. Our choice: exactly 20 characters of [0-9A-Z];
                 build_identifier left-pads a shorter serial with "0", so every identifier has one length
- ``<version>``  3 digits, 001 for the first issue (000 is never used)
- ``<check>``    one character of 0-9A-Z: ISO 7064 MOD 37,36 (hybrid system) over
                 ``type + issuer + serial + version`` concatenated without dots (the OID prefix is
                 not included)

Identifiers are upper case; parse_identifier accepts surrounding spaces and lower case and
returns the canonical upper-case form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ywtb.common.codes.credit_code import credit_code_valid
from ywtb.common.errors import InvalidArgument

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_LENGTH = 20
_MODULUS = len(ALPHABET)  # M = 36; the hybrid system computes mod M and mod M + 1 = 37
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

_TYPE_CODE = re.compile(r"[0-9A-Z]{18}[0-9]{3}")
_ISSUER_CODE = re.compile(r"[0-9A-Z]{18}")
_SERIAL_FIXED = re.compile(f"[0-9A-Z]{{{SERIAL_LENGTH}}}")
_SERIAL = re.compile(f"[0-9A-Z]{{1,{SERIAL_LENGTH}}}")
_IDENTIFIER = re.compile(
    re.escape(PREFIX)
    + r"\.(?P<type>[0-9A-Z]{18}[0-9]{3})\.(?P<issuer>[0-9A-Z]{18})"
    + rf"\.(?P<serial>[0-9A-Z]{{{SERIAL_LENGTH}}})\.(?P<version>[0-9]{{3}})\.(?P<check>[0-9A-Z])"
)

_ERROR_CODE = "LICENCE_ID_MALFORMED"
_MESSAGE = "证照标识格式不正确，请核对后重新输入。"


def _upper(value: str) -> str:
    # Only ASCII is normalised: str.upper() maps some other letters to A-Z ("ſ" → "S"). Non-strings pass
    # through unchanged, for the caller to refuse.
    if isinstance(value, str) and value.isascii():
        return value.strip().upper()
    return value


def _malformed(reason: str) -> InvalidArgument:
    return InvalidArgument(
        _MESSAGE,
        code=_ERROR_CODE,
        message_en=f"malformed e-licence identifier: {reason}",
        fields={"identifier": _MESSAGE},
    )


def _product(text: str) -> int:
    # ISO 7064 hybrid system: p₀ = M; sᵢ = (pᵢ₋₁ + vᵢ) mod M (0 → M); pᵢ = 2·sᵢ mod (M + 1).
    p = _MODULUS
    for char in text:
        s = (p + _VALUE[char]) % _MODULUS or _MODULUS
        p = (2 * s) % (_MODULUS + 1)
    return p


def mod37_36_check(text: str) -> str:
    """The ISO 7064 MOD 37,36 check character of `text` (characters of 0-9A-Z; ValueError otherwise)."""
    if any(c not in _VALUE for c in text):
        raise ValueError("ISO 7064 MOD 37,36 takes only the characters 0-9 and A-Z")
    return ALPHABET[(1 - _product(text)) % _MODULUS]


def mod37_36_valid(text_with_check: str) -> bool:
    """True when the last character of `text_with_check` is its correct ISO 7064 MOD 37,36 check character."""
    if not isinstance(text_with_check, str) or not text_with_check:
        return False
    if any(c not in _VALUE for c in text_with_check):
        return False
    return (_product(text_with_check[:-1]) + _VALUE[text_with_check[-1]]) % _MODULUS == 1


@dataclass(frozen=True)
class LicenceIdentifier:
    """One e-licence identifier; construction validates every part (InvalidArgument LICENCE_ID_MALFORMED)."""

    type_code: str
    issuer_code: str
    serial: str
    version: int

    def __post_init__(self) -> None:
        if not isinstance(self.type_code, str) or not _TYPE_CODE.fullmatch(self.type_code):
            raise _malformed("type code = 18-char credit code + 3 digits")
        if not credit_code_valid(self.type_code[:18]):
            raise _malformed("the credit code in the type code is invalid")
        if not isinstance(self.issuer_code, str) or not _ISSUER_CODE.fullmatch(self.issuer_code):
            raise _malformed("issuer code = 18-char credit code")
        if not credit_code_valid(self.issuer_code):
            raise _malformed("the issuer credit code is invalid")
        if not isinstance(self.serial, str) or not _SERIAL_FIXED.fullmatch(self.serial):
            raise _malformed(f"serial = {SERIAL_LENGTH} characters of 0-9A-Z")
        if (
            isinstance(self.version, bool)
            or not isinstance(self.version, int)
            or not 1 <= self.version <= 999
        ):
            raise _malformed("version = 001 to 999")

    @property
    def body(self) -> str:
        """The characters the check is computed over: type + issuer + serial + version, no dots."""
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version:03d}"

    @property
    def check(self) -> str:
        """The ISO 7064 MOD 37,36 check character of the body."""
        return mod37_36_check(self.body)

    @property
    def text(self) -> str:
        """The full identifier, 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>."""
        return f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}.{self.check}"

    def __str__(self) -> str:
        return self.text


def build_identifier(type_code: str, issuer_code: str, serial: str, version: int = 1) -> LicenceIdentifier:
    """An identifier from its parts: codes upper-cased, the serial left-padded with "0" to 20 characters."""
    serial_text = _upper(serial)
    if not isinstance(serial_text, str) or not _SERIAL.fullmatch(serial_text):
        raise _malformed(f"serial = 1 to {SERIAL_LENGTH} characters of 0-9A-Z")
    return LicenceIdentifier(
        type_code=_upper(type_code),
        issuer_code=_upper(issuer_code),
        serial=serial_text.rjust(SERIAL_LENGTH, "0"),
        version=version,
    )


def parse_identifier(text: str) -> LicenceIdentifier:
    """The identifier in `text`; InvalidArgument LICENCE_ID_MALFORMED when any part or the check is wrong."""
    normalised = _upper(text)
    if not isinstance(normalised, str):
        raise _malformed("not a string")
    match = _IDENTIFIER.fullmatch(normalised)
    if match is None:
        raise _malformed("expected 1.2.156.3005.2.<21>.<18>.<20>.<3 digits>.<check>")
    identifier = LicenceIdentifier(
        type_code=match["type"],
        issuer_code=match["issuer"],
        serial=match["serial"],
        version=int(match["version"]),
    )
    if identifier.check != match["check"]:
        raise _malformed("the check character is wrong")
    return identifier
