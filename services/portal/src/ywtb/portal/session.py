"""Browser sessions (会话): a random id in an HttpOnly cookie, the data in Redis or in process."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

import redis

COOKIE = "ywtb_session"


class SessionStore(Protocol):
    """Session data (a JSON object) by id, expiring after an idle time."""

    def load(self, session_id: str) -> dict[str, Any] | None: ...

    def save(self, session_id: str, data: dict[str, Any], ttl_s: int) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def extend(self, session_id: str, ttl_s: int) -> None: ...

    def ping(self) -> bool: ...


class LocalSessionStore:
    """SessionStore in this process, for the embedded default (one portal process)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def load(self, session_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._data.get(session_id)
            if entry is None or entry[0] < time.monotonic():
                self._data.pop(session_id, None)
                return None
            return json.loads(entry[1])

    def save(self, session_id: str, data: dict[str, Any], ttl_s: int) -> None:
        with self._lock:
            self._data[session_id] = (time.monotonic() + ttl_s, json.dumps(data))
            self._data.move_to_end(session_id)
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._data.pop(session_id, None)

    def extend(self, session_id: str, ttl_s: int) -> None:
        with self._lock:
            entry = self._data.get(session_id)
            if entry is not None:
                self._data[session_id] = (time.monotonic() + ttl_s, entry[1])
                self._data.move_to_end(session_id)

    def ping(self) -> bool:
        return True


class RedisSessionStore:
    """SessionStore in Redis, shared by every portal replica."""

    def __init__(self, url: str, prefix: str = "ywtb:portal:session:") -> None:
        self.prefix = prefix
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def load(self, session_id: str) -> dict[str, Any] | None:
        raw = self._client.get(self.prefix + session_id)
        return json.loads(raw) if raw else None

    def save(self, session_id: str, data: dict[str, Any], ttl_s: int) -> None:
        self._client.set(self.prefix + session_id, json.dumps(data), ex=ttl_s)

    def delete(self, session_id: str) -> None:
        self._client.delete(self.prefix + session_id)

    def extend(self, session_id: str, ttl_s: int) -> None:
        self._client.expire(self.prefix + session_id, ttl_s)

    def ping(self) -> bool:
        return bool(self._client.ping())


class Session(dict[str, Any]):
    """One browser's session data; `changed` tells the middleware to write it back."""

    def __init__(self, session_id: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self.id = session_id
        self.is_new = data is None
        self.changed = data is None
        if "csrf" not in self:
            self["csrf"] = secrets.token_urlsafe(24)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed = True

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed = True

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        self.changed = True
        return super().pop(key, *default)

    def touch(self) -> None:
        """Mark nested changes (e.g. to session["auth"][area]) for saving."""
        self.changed = True

    def rotate(self) -> None:
        """A new id after login, so an id planted before login is worth nothing (session fixation)."""
        self.old_id = self.id
        self.id = secrets.token_urlsafe(32)
        self.changed = True
