"""Password hashing for the embedded built-in issuer (scrypt; Keycloak holds passwords on the full stack)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from ywtb.common.errors import InvalidArgument

_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 8


def check_password_policy(password: str, field: str = "password") -> None:
    """At least 8 characters with letters and digits."""
    if (
        len(password) < MIN_LENGTH
        or not any(c.isdigit() for c in password)
        or not any(c.isalpha() for c in password)
    ):
        message = "密码至少8位，且须同时包含字母和数字，请重新设置。"
        raise InvalidArgument(message, message_en="password too weak", fields={field: message})


def hash_password(password: str) -> str:
    """scrypt$<salt>$<hash> of the password."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str | None) -> bool:
    """True when the password matches the stored hash."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=_N, r=_R, p=_P)
    return hmac.compare_digest(candidate, base64.b64decode(digest))
