"""The identity service's keys for personal data: encryption at rest and keyed hashes for lookup."""

from __future__ import annotations

from dataclasses import dataclass

from ywtb.common.pii import decrypt, derive_key, encrypt, keyed_hash


@dataclass(frozen=True)
class PiiKeys:
    """Keys derived from the service's PII secret, one per purpose."""

    encryption: bytes
    lookup: bytes

    @classmethod
    def from_secret(cls, secret: str) -> PiiKeys:
        """Derive both keys from one secret."""
        return cls(derive_key(secret, "identity-pii-encryption"), derive_key(secret, "identity-pii-lookup"))

    def seal(self, value: str, context: str) -> str:
        """Encrypt a value bound to its context (e.g. the column and row id)."""
        return encrypt(value, self.encryption, context.encode())

    def open(self, token: str, context: str) -> str:
        """Decrypt a sealed value."""
        return decrypt(token, self.encryption, context.encode())

    def lookup_hash(self, value: str) -> str:
        """Keyed hash for equality lookups of a value that is stored encrypted."""
        return keyed_hash(value, self.lookup)
