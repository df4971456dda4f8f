"""Bearer token (JWT) validation and the principal a validated token stands for."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import jwt

from ywtb.common.auth.jwks import KeySource
from ywtb.common.auth.principal import ROLES, Principal
from ywtb.common.errors import Unauthenticated

logger = logging.getLogger("ywtb.common.auth.tokens")

MAX_TOKEN_CHARS = 16 * 1024
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")
# Roles a token may grant: "service" is only ever given in process to services themselves.
TOKEN_ROLES = ROLES - {"service"}
_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})


def _rejected(reason: str) -> Unauthenticated:
    """The one error every rejected token gets: the reason goes to the log, never to the caller."""
    logger.info("bearer token rejected: %s", reason)
    return Unauthenticated(code="UNAUTHENTICATED")


class TokenValidator:
    """Validates tokens of one issuer, audience and type (access tokens: "Bearer"; ID tokens: "ID")."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        key_source: KeySource,
        algorithms: Iterable[str] = ("RS256",),
        leeway_s: float = 30,
        token_type: str = "Bearer",
    ) -> None:
        self.issuer = issuer
        self.token_type = token_type
        self.audience = audience
        self.key_source = key_source
        self.algorithms = tuple(algorithms)
        unsafe = set(self.algorithms) - _ASYMMETRIC
        if unsafe or not self.algorithms:
            raise ValueError(f"only asymmetric signing algorithms may be allowed, got {sorted(unsafe)}")
        self.leeway_s = leeway_s

    def validate(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; Unauthenticated (with no reason given) for any other."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            raise _rejected("empty or oversized token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise _rejected(f"malformed token ({type(exc).__name__})") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise _rejected(f"algorithm {str(alg)[:16]!r} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _rejected("no kid in header")
        try:
            key = self.key_source.get_key(kid)
        except Unauthenticated:
            raise _rejected(f"unknown kid {kid[:64]!r}") from None
        key_alg = key.algorithm_name
        if key_alg != alg:
            raise _rejected(f"token algorithm {alg} does not match key algorithm {key_alg}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS), "verify_signature": True},
            )
        except jwt.InvalidTokenError as exc:
            raise _rejected(f"{type(exc).__name__}: {exc}") from None
        typ = claims.get("typ")
        if typ is not None and typ != self.token_type:
            raise _rejected(f"token type {str(typ)[:16]!r} is not {self.token_type!r}")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise _rejected("empty subject")
        return claims


def _roles(claims: Mapping[str, Any]) -> frozenset[str]:
    roles = claims.get("roles")
    if not isinstance(roles, list):
        realm_access = claims.get("realm_access")
        roles = realm_access.get("roles") if isinstance(realm_access, Mapping) else None
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list):
        return frozenset()
    return frozenset(r for r in roles if isinstance(r, str) and r in TOKEN_ROLES)


def _real_name_level(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        level = value
    elif isinstance(value, str) and value.strip().isdigit():
        level = int(value.strip())
    else:
        return 0
    return level if 0 <= level <= 5 else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal of a validated token's claims (Keycloak's or the built-in issuer's).

    The subject is the identity service's account id (`account_id` claim, mapped from the Keycloak
    user attribute ywtb_account_id); Keycloak's own `sub` only for users the platform did not create.
    """
    subject = claims.get("account_id") or claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _rejected("no subject")
    return Principal(
        subject=subject,
        tenant=_text(claims.get("tenant")),
        roles=_roles(claims),
        dept=_text(claims.get("dept")),
        subject_type=_text(claims.get("subject_type")),
        real_name_level=_real_name_level(claims.get("real_name_level")),
        name=_text(claims.get("name")) or _text(claims.get("preferred_username")),
    )
