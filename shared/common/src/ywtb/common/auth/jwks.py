"""Signing keys for JWT validation: a cached, rate-limited JWKS client and a static in-process key set."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx
import jwt

from ywtb.common.errors import Unauthenticated, Unavailable

logger = logging.getLogger("ywtb.common.auth.jwks")

MAX_JWKS_BYTES = 512 * 1024


class KeySource(Protocol):
    """Where a token validator finds the public key named by a token's `kid`."""

    def get_key(self, kid: str) -> jwt.PyJWK:
        """The key with this id; Unauthenticated when unknown, Unavailable when none can be had."""
        ...


def parse_jwks(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """The signing keys of a JWKS document by kid; encryption keys and unusable entries are skipped."""
    entries = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWKS document: no 'keys' list")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            logger.info("skipping JWKS key %s: %s", kid, exc)
    return keys


def _unknown_kid(kid: str) -> Unauthenticated:
    return Unauthenticated(message_en=f"unknown signing key id {kid[:64]!r}")


class StaticKeySource:
    """Keys given in process (the embedded built-in issuer's own public keys)."""

    def __init__(self, jwks: Mapping[str, Any] | Callable[[], Mapping[str, Any]]) -> None:
        self._jwks = jwks
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._lock = threading.Lock()

    def get_key(self, kid: str) -> jwt.PyJWK:
        """The key with this id, or Unauthenticated."""
        with self._lock:
            if self._keys is None:
                jwks = self._jwks() if callable(self._jwks) else self._jwks
                self._keys = parse_jwks(jwks)
            keys = self._keys
        try:
            return keys[kid]
        except KeyError:
            raise _unknown_kid(kid) from None


class JwksClient:
    """Fetches an identity provider's JWKS over HTTP and caches the keys by kid.

    Keys are refreshed when `cache_ttl_s` has passed, and on a kid not in the cache (key rotation)
    at most once per `min_refresh_interval_s`, so random kids cannot make it fetch on every request.
    Concurrent callers share one fetch. A failed fetch keeps the cached keys; Unavailable is raised
    only when there are none.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 2.0,
        cache_ttl_s: float = 600,
        min_refresh_interval_s: float = 30,
        http_client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._timeout_s = timeout_s
        self._ttl_s = cache_ttl_s
        self._min_interval_s = min_refresh_interval_s
        self._http = http_client or httpx.Client(timeout=httpx.Timeout(timeout_s), follow_redirects=False)
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last fetch attempt, successful or not
        self._attempts = 0
        self._fetch_lock = threading.Lock()
        self.fetch_count = 0  # successful fetches, for metrics and tests

    def get_key(self, kid: str) -> jwt.PyJWK:
        """The key with this id (fetching or refreshing the JWKS when needed)."""
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        attempts_seen = self._attempts
        with self._fetch_lock:
            # Callers that queued behind a fetch use its result instead of fetching again.
            if self._attempts == attempts_seen and self._should_fetch(kid):
                self._fetch()
            key = self._keys.get(kid)
            if key is not None:
                return key
            if not self._keys:
                raise Unavailable(message_en=f"no signing keys: JWKS {self.url} could not be fetched")
        raise _unknown_kid(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl_s

    def _should_fetch(self, kid: str) -> bool:
        since_attempt = None if self._attempted_at is None else self._clock() - self._attempted_at
        if not self._keys:  # nothing to serve: retry soon, but not on every request
            return since_attempt is None or since_attempt >= min(1.0, self._min_interval_s)
        recently_tried = since_attempt is not None and since_attempt < self._min_interval_s
        if self._stale():
            return not recently_tried  # a failing provider is retried at most once per interval
        return kid not in self._keys and not recently_tried

    def _fetch(self) -> None:
        self._attempts += 1
        self._attempted_at = self._clock()
        try:
            response = self._http.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            if len(response.content) > MAX_JWKS_BYTES:
                raise ValueError(f"JWKS larger than {MAX_JWKS_BYTES} bytes")
            keys = parse_jwks(response.json())
            if not keys:
                raise ValueError("JWKS has no usable signing key")
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning(
                "JWKS fetch from %s failed (%s: %s); keeping %d cached keys",
                self.url,
                type(exc).__name__,
                exc,
                len(self._keys),
            )
            return
        self._keys = keys
        self._fetched_at = self._clock()
        self.fetch_count += 1
        logger.info("JWKS fetched from %s: %d signing keys", self.url, len(keys))

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
