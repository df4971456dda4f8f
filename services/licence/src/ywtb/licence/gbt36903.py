"""A licence's metadata per GB/T 36903, the bytes its seal signs, and the compact payload of its QR code."""

from __future__ import annotations

from datetime import date
from typing import Any

from ywtb.licence.models import Licence
from ywtb.licence.seals import canonical_bytes, sm3_hex

LONG_TERM = "长期"
QR_SCHEME = "YWTBL1"  # version of the QR payload: scheme|identifier|valid until|signature


def valid_until_text(valid_until: date | None) -> str:
    """The end of validity as printed and signed: a date, or 长期."""
    return valid_until.isoformat() if valid_until else LONG_TERM


def metadata_of(licence: Licence, holder_code: str) -> dict[str, Any]:
    """The GB/T 36903 metadata (holder code in clear: the signature covers it)."""
    return {
        "licence_name": licence.type_name,
        "type_name": licence.type_name,
        "type_code": licence.type_code,
        "licence_no": licence.licence_no,
        "identifier": licence.identifier,
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer,
        "issue_date": licence.issued_on.isoformat(),
        "holder": licence.holder_name,
        "holder_code": holder_code,
        "holder_code_type": licence.holder_code_type,
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": valid_until_text(licence.valid_until),
        "jurisdiction": licence.jurisdiction,
        "fields": dict(licence.fields),
    }


def metadata_digest(metadata: dict[str, Any]) -> str:
    """SM3 of the canonical metadata."""
    return sm3_hex(canonical_bytes(metadata))


def sealed_bytes(metadata: dict[str, Any], file_sm3: str) -> bytes:
    """What the issuer's seal signs: the canonical metadata and the file's SM3 digest."""
    return canonical_bytes({"metadata": metadata, "file_sm3": file_sm3})


def qr_signed_text(identifier: str, valid_until: str) -> bytes:
    """What the QR code's signature covers."""
    return f"{QR_SCHEME}|{identifier}|{valid_until}".encode()


def qr_payload(identifier: str, valid_until: str, signature: str) -> str:
    """The QR code's text: verifiable offline with the issuer's public key, then checked online."""
    return f"{QR_SCHEME}|{identifier}|{valid_until}|{signature}"


def parse_qr_payload(text: str) -> tuple[str, str, str] | None:
    """(identifier, valid until, signature) of a QR payload, or None when it is not one."""
    parts = text.strip().split("|")
    if len(parts) != 4 or parts[0] != QR_SCHEME:
        return None
    return parts[1], parts[2], parts[3]
