"""Each issuing department's Ed25519 key for W3C credentials: made on first use, kept encrypted (as its seal
key is), its public key published in its DID document."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.orm import Session

from ywtb.licence.models import CredentialKeyRow
from ywtb.licence.multikey import public_multibase
from ywtb.licence.seals import private_key_of_token, private_key_token

KEY_PURPOSE = "licence-credential"


def _private_hex(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


class CredentialKeys:
    """Credential keys in the licence database, encrypted under a key derived from the service's secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def key_for(self, session: Session, tenant: str, dept: str, now: datetime) -> Ed25519PrivateKey:
        """The department's key pair, made and stored in this transaction when it has none."""
        row = session.get(CredentialKeyRow, dept, with_for_update=True)
        if row is not None:
            return self._open(row)
        key = Ed25519PrivateKey.generate()
        token = private_key_token(_private_hex(key), self._secret, KEY_PURPOSE, dept)
        session.add(
            CredentialKeyRow(
                dept=dept,
                tenant=tenant,
                public_key_multibase=public_multibase(key),
                private_key_token=token,
                created_at=now,
            )
        )
        session.flush()
        return key

    def key_of(self, session: Session, dept: str) -> Ed25519PrivateKey | None:
        """The department's key pair, or None when it never signed a credential."""
        row = session.get(CredentialKeyRow, dept)
        return self._open(row) if row is not None else None

    def _open(self, row: CredentialKeyRow) -> Ed25519PrivateKey:
        private = private_key_of_token(row.private_key_token, self._secret, KEY_PURPOSE, row.dept)
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private))

    @staticmethod
    def public_key(session: Session, dept: str) -> str | None:
        """The department's publicKeyMultibase, or None when it never signed a credential."""
        row = session.get(CredentialKeyRow, dept)
        return row.public_key_multibase if row is not None else None
