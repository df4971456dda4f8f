"""Each issuing department's seal key: made on first use, kept encrypted, its public key published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ywtb.licence.models import SealKeyRow
from ywtb.licence.seals import SealKey, new_seal_key, seal_key_from_token, seal_key_to_token


class SealStore:
    """Seal keys in the licence database, encrypted under a key derived from the service's secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def key_for(self, session: Session, tenant: str, dept: str, now: datetime) -> SealKey:
        """The department's key pair, made and stored in this transaction when it has none."""
        row = session.get(SealKeyRow, dept, with_for_update=True)
        if row is not None:
            return seal_key_from_token(row.private_key_token, self._secret, dept)
        key = new_seal_key()
        session.add(
            SealKeyRow(
                dept=dept,
                tenant=tenant,
                public_key=key.public_key_hex,
                private_key_token=seal_key_to_token(key, self._secret, dept),
                created_at=now,
            )
        )
        session.flush()
        return key

    def key_of(self, session: Session, dept: str) -> SealKey | None:
        """The department's key pair, or None when it never issued."""
        row = session.get(SealKeyRow, dept)
        return seal_key_from_token(row.private_key_token, self._secret, dept) if row is not None else None

    @staticmethod
    def public_key(session: Session, dept: str) -> str | None:
        """The department's public seal key (128 hex), or None when it never issued."""
        row = session.get(SealKeyRow, dept)
        return row.public_key if row is not None else None
