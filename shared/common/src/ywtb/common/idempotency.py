"""Idempotency keys: a retry with the same key and body answers what the first request made; the same key
with another body is refused (409) — the one rule every creating use case follows."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ywtb.common.errors import Conflict, InvalidArgument

MAX_KEY_LENGTH = 128


def idempotency_key(given: str, *, required: bool = True) -> str:
    """The key as sent, stripped; InvalidArgument when it is missing (if required) or too long."""
    key = given.strip()
    if required and not key:
        raise InvalidArgument(
            "缺少幂等键（Idempotency-Key），请刷新页面后重新提交。",
            code="IDEMPOTENCY_KEY_REQUIRED",
            fields={"idempotency_key": "缺少幂等键（Idempotency-Key）。"},
        )
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidArgument(
            f"幂等键不能超过{MAX_KEY_LENGTH}个字符。",
            fields={"idempotency_key": f"幂等键不能超过{MAX_KEY_LENGTH}个字符。"},
        )
    return key


def request_digest(body: Any) -> str:
    """SHA-256 of the request's canonical JSON, to tell a retry from a different request under the same key."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def require_same_request(stored_digest: str, digest: str, what: str) -> None:
    """Conflict (IDEMPOTENCY_KEY_REUSED) when the key's first request had another body."""
    if stored_digest != digest:
        raise Conflict(
            f"该幂等键已用于另一{what}，请刷新页面后重新提交。",
            code="IDEMPOTENCY_KEY_REUSED",
            message_en=f"idempotency key reused for a different {what}",
        )
