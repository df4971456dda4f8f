"""Guide cache (办事指南缓存): rendered guides by item version, in Redis or in process.

The database stays the source of truth: a cache that fails behaves as a miss and never fails a
guide read. The service deletes `latest_key(item_id)` (and the guide keys it knows) on the
item.published and item.withdrawn events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)


def guide_key(item_id: str, version: int) -> str:
    """Key of the guide of one published (immutable) version."""
    return f"{item_id}:v{version}"


def latest_key(item_id: str) -> str:
    """Key of the guide of the item's current published version."""
    return f"{item_id}:latest"


@runtime_checkable
class GuideCache(Protocol):
    """Bytes by key with a time to live; misses and failures both read as None."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: int) -> None: ...

    def delete(self, *keys: str) -> None: ...


class RedisGuideCache:
    """GuideCache in Redis; every Redis error is logged and read as a miss or ignored.

    After a failure, reads and writes skip Redis for `pause_s` so that a Redis that is down costs
    one timeout, not one per request; invalidations are always attempted.
    """

    _ERRORS = (redis.RedisError, OSError)

    def __init__(
        self, url: str, prefix: str = "ywtb:catalog:guide:", timeout_s: float = 0.5, pause_s: float = 2.0
    ) -> None:
        self.prefix = prefix
        self.pause_s = pause_s
        self._paused_until = 0.0
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            # one immediate retry covers a pooled connection that Redis closed; never more
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )

    def _available(self) -> bool:
        return time.monotonic() >= self._paused_until

    def _failed(self, action: str, exc: Exception, **fields: object) -> None:
        self._paused_until = time.monotonic() + self.pause_s
        log.warning(
            "guide cache %s failed; the database answers", action, extra={"error": repr(exc), **fields}
        )

    def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            value = self._client.get(self.prefix + key)
        except self._ERRORS as exc:
            self._failed("read", exc)
            return None
        return value.encode() if isinstance(value, str) else value

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        if not self._available():
            return
        try:
            self._client.set(self.prefix + key, value, ex=max(1, int(ttl_s)))
        except self._ERRORS as exc:
            self._failed("write", exc)

    def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            self._client.delete(*(self.prefix + k for k in keys))
        except self._ERRORS as exc:
            # a stale guide then lives at most its TTL
            self._failed("invalidation", exc, keys=list(keys))

    def close(self) -> None:
        self._client.close()


class LocalGuideCache:
    """GuideCache in process (embedded mode): least recently used eviction and per-entry TTL."""

    def __init__(self, max_items: int = 10000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_items = max_items
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            expires, value = found
            if expires <= self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        with self._lock:
            self._items[key] = (self._clock() + ttl_s, bytes(value))
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._items.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
