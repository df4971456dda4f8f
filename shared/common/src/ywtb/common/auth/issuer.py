"""The built-in token issuer of the embedded default: RS256 tokens with the claims Keycloak emits."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import stat
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ywtb.common.auth.jwks import StaticKeySource
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.tokens import TOKEN_ROLES, TokenValidator

logger = logging.getLogger("ywtb.common.auth.issuer")

ALGORITHM = "RS256"
KEY_BITS = 2048
DEFAULT_AUDIENCE = "ywtb-gateway"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _int_b64url(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA key at `path`, created (mode 0600) when the file does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(tmp, path)  # never replaces a key another process created meanwhile
                logger.info("created the built-in issuer's signing key at %s", path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("the built-in issuer's key %s is readable by others (mode %o); use 0600", path, mode)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return loaded


class BuiltinIssuer:
    """Issues access tokens like Keycloak's realm `ywtb` does, with a key kept in a local file."""

    def __init__(self, key_path: Path, issuer_url: str, audience: str = DEFAULT_AUDIENCE) -> None:
        self.key_path = Path(key_path)
        self.issuer_url = issuer_url.rstrip("/")
        self.audience = audience
        self._lock = threading.Lock()
        self._key: rsa.RSAPrivateKey | None = None
        self._kid = ""
        self._jwk: dict[str, Any] = {}

    def _private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                key = _load_or_create_key(self.key_path)
                numbers = key.public_key().public_numbers()
                jwk = {"e": _int_b64url(numbers.e), "kty": "RSA", "n": _int_b64url(numbers.n)}
                # RFC 7638 thumbprint: stable across restarts, changes when the key does.
                thumbprint = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode("ascii")
                self._kid = _b64url(hashlib.sha256(thumbprint).digest())
                self._jwk = {**jwk, "kid": self._kid, "use": "sig", "alg": ALGORITHM}
                self._key = key
            return self._key

    @property
    def kid(self) -> str:
        """The key id tokens carry in their header."""
        self._private_key()
        return self._kid

    def jwks(self) -> dict[str, Any]:
        """The public key set, as served at .../protocol/openid-connect/certs."""
        self._private_key()
        return {"keys": [dict(self._jwk)]}

    def _claims(
        self, principal: Principal, ttl_s: int, client_id: str, username: str | None
    ) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer_url,
            "sub": principal.subject,
            "account_id": principal.subject,
            "iat": now,
            "exp": now + int(ttl_s),
            "jti": str(uuid.uuid4()),
            "azp": client_id,
            "name": principal.name,
            "preferred_username": username or principal.subject,
            "tenant": principal.tenant,
            "dept": principal.dept,
            "real_name_level": principal.real_name_level,
            "subject_type": principal.subject_type,
        }

    def mint(
        self,
        principal: Principal,
        ttl_s: int = 1800,
        client_id: str = "portal",
        *,
        username: str | None = None,
    ) -> str:
        """An access token for `principal` (the "service" role is never put in a token)."""
        roles = sorted(principal.roles & TOKEN_ROLES)
        claims = {
            **self._claims(principal, ttl_s, client_id, username),
            "aud": self.audience,
            "typ": "Bearer",
            "roles": roles,
            "realm_access": {"roles": roles},
            "scope": "openid profile",
        }
        key = self._private_key()
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": self._kid, "typ": "JWT"})

    def mint_id_token(
        self,
        principal: Principal,
        client_id: str,
        *,
        ttl_s: int = 1800,
        nonce: str | None = None,
        username: str | None = None,
    ) -> str:
        """An OIDC ID token for the client that logged the user in."""
        claims = {**self._claims(principal, ttl_s, client_id, username), "aud": client_id, "typ": "ID"}
        if nonce:
            claims["nonce"] = nonce
        key = self._private_key()
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": self._kid, "typ": "JWT"})

    def validator(self, leeway_s: float = 30) -> TokenValidator:
        """A validator for this issuer's access tokens (keys read in process, no HTTP)."""
        return TokenValidator(self.issuer_url, self.audience, StaticKeySource(self.jwks), leeway_s=leeway_s)
