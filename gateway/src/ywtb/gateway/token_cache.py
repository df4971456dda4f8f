"""Validated bearer tokens remembered for a short while: a token seen again skips the signature check."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

DEFAULT_TTL_S = 60.0
DEFAULT_MAX_TOKENS = 10_000


class ValidatedTokens:
    """token → its claims, for at most `ttl_s` and never past the token's own `exp` (no leeway).

    Only tokens the validator accepted are kept, so a rejected token is checked again every time; a
    key withdrawn from the JWKS stops its tokens within `ttl_s`. Least recently used tokens go first."""

    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_tokens = max_tokens
        self._clock = clock
        self._tokens: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, token: str) -> dict[str, Any] | None:
        """The claims of a token validated a moment ago, else None."""
        entry = self._tokens.get(token)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._tokens[token]
            return None
        self._tokens.move_to_end(token)
        return entry[1]

    def put(self, token: str, claims: dict[str, Any]) -> None:
        """Remember the claims of a token the validator has just accepted."""
        now = self._clock()
        until = min(now + self.ttl_s, float(claims.get("exp") or 0))
        if until <= now:
            return
        self._tokens[token] = (until, claims)
        self._tokens.move_to_end(token)
        while len(self._tokens) > self.max_tokens:
            self._tokens.popitem(last=False)

    def __len__(self) -> int:
        return len(self._tokens)
