"""Validated tokens are remembered briefly, never past their exp, and rejected tokens never."""

from __future__ import annotations

from typing import Any

from ywtb.gateway.token_cache import ValidatedTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_claims_are_kept_for_the_ttl_and_never_past_exp() -> None:
    clock = Clock()
    tokens = ValidatedTokens(ttl_s=60, clock=clock)
    long_lived: dict[str, Any] = {"sub": "a", "exp": clock.now + 3600}
    short_lived: dict[str, Any] = {"sub": "b", "exp": clock.now + 10}
    tokens.put("t-long", long_lived)
    tokens.put("t-short", short_lived)
    tokens.put("t-expired", {"sub": "c", "exp": clock.now - 1})
    tokens.put("t-no-exp", {"sub": "d"})
    assert tokens.get("t-long") is long_lived and tokens.get("t-short") is short_lived
    assert (
        tokens.get("t-expired") is None and tokens.get("t-no-exp") is None and tokens.get("t-other") is None
    )
    clock.now += 10
    assert tokens.get("t-short") is None and tokens.get("t-long") is long_lived
    clock.now += 50
    assert tokens.get("t-long") is None and len(tokens) == 0


def test_the_least_recently_used_token_goes_first() -> None:
    clock = Clock()
    tokens = ValidatedTokens(max_tokens=2, clock=clock)
    for name in ("a", "b"):
        tokens.put(name, {"sub": name, "exp": clock.now + 100})
    assert tokens.get("a") is not None
    tokens.put("c", {"sub": "c", "exp": clock.now + 100})
    assert tokens.get("b") is None and tokens.get("a") is not None and tokens.get("c") is not None
