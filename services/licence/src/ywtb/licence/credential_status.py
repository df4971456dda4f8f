"""W3C Bitstring Status List (revocation): each licence whose credential was asked for holds a slot in its
issuer's list; the slot's bit is set once that version is no longer in force (revoked or superseded)."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.licence.data_integrity import date_time_stamp
from ywtb.licence.linked_data import CREDENTIALS_V2
from ywtb.licence.models import VALID, IssuerSerial, Licence

MIN_BITS = 131072  # the specification's minimum: 16 KB, so a list tells little about any one holder
PURPOSE = "revocation"
ENTRY, LIST, LIST_CREDENTIAL = (
    "BitstringStatusListEntry",
    "BitstringStatusList",
    "BitstringStatusListCredential",
)


def encode_list(set_bits: Iterable[int]) -> str:
    """The encodedList: multibase base64url (no padding) of the GZIP of the bitstring, index 0 leftmost."""
    bits = sorted(set(set_bits))
    size = max(MIN_BITS, -(-(bits[-1] + 1) // MIN_BITS) * MIN_BITS if bits else MIN_BITS)
    data = bytearray(size // 8)
    for index in bits:
        data[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(data), mtime=0)).decode().rstrip("=")


def bit_set(encoded_list: str, index: int) -> bool:
    """Whether the bit at `index` of an encodedList is set (ValueError when it is not one)."""
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded_list[1:]
    data = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if not 0 <= index < len(data) * 8:
        raise ValueError("statusListIndex is outside the list")
    return bool(data[index // 8] & (0x80 >> (index % 8)))


def slot_of(session: Session, licence: Licence) -> int:
    """The licence's slot in its issuer's list, given now (under the issuer's row lock) when it has none."""
    if licence.status_index is not None:
        return licence.status_index
    row = session.get(IssuerSerial, licence.issuer, with_for_update=True)
    if row is None:
        row = IssuerSerial(issuer=licence.issuer, last=0, status_last=0)
        session.add(row)
    licence.status_index = row.status_last or 0
    row.status_last = licence.status_index + 1
    session.flush()
    return licence.status_index


def entry(list_url: str, index: int) -> dict[str, Any]:
    """A credential's credentialStatus pointing at its slot."""
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY,
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def ended_slots(session: Session, issuer: str) -> list[int]:
    """The slots of the issuer's licences no longer in force."""
    return list(
        session.scalars(
            select(Licence.status_index).where(
                Licence.issuer == issuer, Licence.status_index.is_not(None), Licence.status != VALID
            )
        )
    )


def list_credential(list_url: str, issuer_did: str, slots: Iterable[int], now: datetime) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of an issuer."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL],
        "issuer": issuer_did,
        "validFrom": date_time_stamp(now),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST,
            "statusPurpose": PURPOSE,
            "encodedList": encode_list(slots),
        },
    }
