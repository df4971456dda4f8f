"""Seen-nonce stores: a signed message whose nonce was seen within the window is a replay."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class NonceStore(Protocol):
    """Remembers nonces for a while; shared by every replica in production (a database table, Redis SET NX EX)."""

    def remember(self, nonce: str, ttl_s: float) -> bool:
        """True when the nonce is new (it is now remembered for ttl_s), False when seen within its ttl."""
        ...


class MemoryNonceStore:
    """A NonceStore in this process only (one replica, a simulator, tests)."""

    def __init__(self, purge_every_s: float = 30.0) -> None:
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._purge_every_s = purge_every_s
        self._next_purge = time.monotonic() + purge_every_s

    def remember(self, nonce: str, ttl_s: float) -> bool:
        """True when the nonce is new (it is now remembered for ttl_s), False when seen within its ttl."""
        now = time.monotonic()
        with self._lock:
            if now >= self._next_purge:
                self._expiry = {n: t for n, t in self._expiry.items() if t > now}
                self._next_purge = now + self._purge_every_s
            if self._expiry.get(nonce, 0.0) > now:
                return False
            self._expiry[nonce] = now + ttl_s
            return True

    def __len__(self) -> int:
        return len(self._expiry)
