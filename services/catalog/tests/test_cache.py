"""Guide cache: the in-process LRU with TTL, and Redis (real local Redis, and one that is down)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import redis

from ywtb.catalog.cache import GuideCache, LocalGuideCache, RedisGuideCache, guide_key, latest_key
from ywtb.common.testing.stack import unique_name


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_keys_separate_versions_and_latest():
    assert guide_key("item-1", 3) != guide_key("item-1", 4) != latest_key("item-1")
    assert guide_key("item-1", 3) != guide_key("item-13", 1)  # no ambiguous concatenation
    assert latest_key("item-1") != latest_key("item-2")


def test_local_cache_is_a_guide_cache():
    assert isinstance(LocalGuideCache(), GuideCache)
    assert isinstance(RedisGuideCache("redis://127.0.0.1:1/0"), GuideCache)


def test_local_get_set_delete():
    cache = LocalGuideCache()
    assert cache.get("a") is None
    cache.set("a", b"guide-a", ttl_s=60)
    cache.set("b", b"guide-b", ttl_s=60)
    assert cache.get("a") == b"guide-a"
    cache.set("a", b"guide-a2", ttl_s=60)
    assert cache.get("a") == b"guide-a2"
    cache.delete("a", "b", "never-set")
    assert cache.get("a") is None and cache.get("b") is None
    cache.delete()  # nothing to delete


def test_local_ttl_expires():
    clock = FakeClock()
    cache = LocalGuideCache(clock=clock)
    cache.set("short", b"1", ttl_s=5)
    cache.set("long", b"2", ttl_s=60)
    clock.now += 4.9
    assert cache.get("short") == b"1"
    clock.now += 0.2
    assert cache.get("short") is None
    assert cache.get("long") == b"2"
    assert len(cache) == 1  # the expired entry was dropped on read


def test_local_lru_evicts_least_recently_used():
    cache = LocalGuideCache(max_items=3)
    for key in "abc":
        cache.set(key, key.encode(), ttl_s=60)
    assert cache.get("a") == b"a"  # a is now the most recently used
    cache.set("d", b"d", ttl_s=60)
    assert len(cache) == 3
    assert cache.get("b") is None  # b was the least recently used
    assert [cache.get(k) for k in "acd"] == [b"a", b"c", b"d"]
    with pytest.raises(ValueError):
        LocalGuideCache(max_items=0)


def test_local_cache_is_thread_safe():
    cache = LocalGuideCache(max_items=50)

    def work(n: int) -> None:
        for i in range(2000):
            cache.set(f"{n}:{i % 80}", b"x", ttl_s=60)
            cache.get(f"{n}:{(i * 7) % 80}")
            if i % 10 == 0:
                cache.delete(f"{n}:{i % 80}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) <= 50


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on exit: nothing listens there


def test_redis_down_is_a_quick_miss_and_no_op():
    cache = RedisGuideCache(f"redis://127.0.0.1:{_dead_port()}/0", timeout_s=0.2)
    started = time.perf_counter()
    assert cache.get(latest_key("item-1")) is None
    cache.set(latest_key("item-1"), b"guide", ttl_s=60)
    cache.delete(latest_key("item-1"), guide_key("item-1", 1))
    assert cache.get(latest_key("item-1")) is None
    assert time.perf_counter() - started < 1.0


@pytest.fixture
def redis_cache(redis_url: str):
    prefix = f"{unique_name('test_guide_')}:"
    cache = RedisGuideCache(redis_url, prefix=prefix)
    yield cache
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
    cache.close()


@pytest.mark.integration
def test_redis_get_set_delete(redis_cache: RedisGuideCache):
    key = guide_key("item-1", 2)
    assert redis_cache.get(key) is None
    redis_cache.set(key, "受理条件：年满18周岁".encode(), ttl_s=60)
    assert redis_cache.get(key) == "受理条件：年满18周岁".encode()
    redis_cache.set(latest_key("item-1"), b"v2", ttl_s=60)
    redis_cache.delete(key, latest_key("item-1"))
    assert redis_cache.get(key) is None
    assert redis_cache.get(latest_key("item-1")) is None


@pytest.mark.integration
def test_redis_uses_prefix_and_ttl(redis_cache: RedisGuideCache, redis_url: str):
    redis_cache.set(latest_key("item-9"), b"guide", ttl_s=30)
    client = redis.Redis.from_url(redis_url)
    try:
        stored = redis_cache.prefix + latest_key("item-9")
        assert client.get(stored) == b"guide"
        assert 0 < client.ttl(stored) <= 30
        client.pexpire(stored, 50)
        time.sleep(0.2)
        assert redis_cache.get(latest_key("item-9")) is None  # expired in Redis
    finally:
        client.close()
