"""Session stores: expiry, capacity, and the same behaviour in Redis."""

from __future__ import annotations

import time
import uuid

import pytest

from ywtb.portal.session import LocalSessionStore, RedisSessionStore, Session


def test_local_store_round_trip_and_delete() -> None:
    store = LocalSessionStore()
    store.save("a", {"csrf": "x", "auth": {"citizen": {"me": {"name": "张三"}}}}, ttl_s=60)
    assert store.load("a") == {"csrf": "x", "auth": {"citizen": {"me": {"name": "张三"}}}}
    store.delete("a")
    assert store.load("a") is None


def test_local_store_forgets_expired_sessions() -> None:
    store = LocalSessionStore()
    store.save("a", {"csrf": "x"}, ttl_s=0)
    time.sleep(0.01)
    assert store.load("a") is None


def test_extending_keeps_an_unchanged_session_alive() -> None:
    store = LocalSessionStore()
    store.save("a", {"csrf": "x"}, ttl_s=0)
    store.extend("a", 60)
    assert store.load("a") == {"csrf": "x"}
    store.extend("unknown", 60)
    assert store.load("unknown") is None


def test_local_store_evicts_the_least_recently_saved_beyond_capacity() -> None:
    store = LocalSessionStore(capacity=2)
    for name in ("a", "b", "c"):
        store.save(name, {"n": name}, ttl_s=60)
    assert store.load("a") is None
    assert store.load("c") == {"n": "c"}


def test_a_new_session_has_a_csrf_token_and_rotation_changes_the_id() -> None:
    session = Session("old", None)
    assert session.is_new and session.changed and len(session["csrf"]) >= 24
    session.rotate()
    assert session.id != "old" and session.old_id == "old"


def test_a_loaded_session_is_unchanged_until_written() -> None:
    session = Session("id", {"csrf": "token", "lang": "zh"})
    assert not session.changed
    session["lang"] = "en"
    assert session.changed


@pytest.mark.integration
def test_redis_store_round_trip_expiry_and_delete(redis_url: str) -> None:
    store = RedisSessionStore(redis_url, prefix=f"test:portal:{uuid.uuid4().hex}:")
    assert store.ping()
    store.save("a", {"csrf": "x", "name": "张三"}, ttl_s=1)
    assert store.load("a") == {"csrf": "x", "name": "张三"}
    store.save("b", {"csrf": "y"}, ttl_s=60)
    store.delete("b")
    assert store.load("b") is None
    store.save("c", {"csrf": "z"}, ttl_s=1)
    store.extend("c", 60)
    time.sleep(1.2)
    assert store.load("a") is None
    assert store.load("c") == {"csrf": "z"}
