"""The catalogue on real PostgreSQL and Redis: the lifecycle path, and guide cache invalidation both
synchronously after publish and through the item events alone (a second replica)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ywtb.catalog.__main__ import cache_consumer
from ywtb.catalog.cache import RedisGuideCache, latest_key
from ywtb.catalog.models import outbox
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.relay import OutboxRelay

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location(
    "catalog_test_service", Path(__file__).with_name("test_service.py")
)
unit = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(unit)  # type: ignore[union-attr]


@pytest.fixture
def service(postgres_url, redis_url):  # type: ignore[no-untyped-def]
    return unit.make_service(postgres_url, RedisGuideCache(redis_url))


def republish(service, item_id: str, **changes) -> None:  # type: ignore[no-untyped-def]
    service.update_guide(unit.MSCJ_ADMIN, item_id, unit.guide(**changes))
    service.submit(unit.MSCJ_ADMIN, item_id)
    service.approve(unit.JINJIANG, item_id)
    service.publish(unit.JINJIANG, item_id)


def test_lifecycle_with_permission_checks_on_postgres(service) -> None:
    item_id = unit.lifecycle(service)
    v1 = service.reads.guide(item_id)
    republish(service, item_id, name="个体工商户设立登记（第二版）")
    assert service.reads.guide(item_id)["version"] == 2
    assert service.reads.guide(item_id, 1) == v1  # the old version stays readable by id, unchanged
    assert unit.ce_types(service) == ["ywtb.catalog.v1.ItemPublished"] * 2


def test_publish_invalidates_the_redis_guide_synchronously(service) -> None:
    item_id = unit.lifecycle(service)
    assert service.reads.guide(item_id)["guide"]["hours"] == unit.GUIDE["hours"]
    assert service.reads.cache.get(latest_key(item_id)) is not None  # cached in Redis
    republish(service, item_id, hours="周一至周日 8:30-20:00")
    assert service.reads.guide(item_id)["guide"]["hours"] == "周一至周日 8:30-20:00"


def test_a_second_replica_learns_of_a_publish_only_through_the_event(
    service, postgres_url, redis_url, tmp_path, monkeypatch
) -> None:
    item_id = unit.lifecycle(service)
    replica = unit.make_service(postgres_url, RedisGuideCache(redis_url))
    replica.reads.rebuild_index()
    bus = EmbeddedBus(str(tmp_path / "events.db"), lease_seconds=3.0)
    consumer = cache_consumer(bus, replica.db, replica.reads, "replica-b")
    assert not consumer.run_once(0.5)  # the replica is up: its group starts at the end of the log
    relay = OutboxRelay(service.db, outbox, bus)
    assert relay.run_once() == (1, 1)  # version 1's event
    assert consumer.run_once(5.0)
    assert replica.reads.guide(item_id)["version"] == 1  # the replica has cached version 1

    # The publishing replica commits but never invalidates (it died right after the commit).
    monkeypatch.setattr(service.reads, "refresh_now", lambda item_ids: None)
    republish(service, item_id, name="个体工商户设立登记（变更）", hours="全天")
    assert replica.reads.guide(item_id)["version"] == 1  # stale until the event arrives
    assert replica.reads.search("变更").total == 0

    assert relay.run_once() == (1, 1)
    assert consumer.run_once(5.0)
    live = replica.reads.guide(item_id)
    assert (live["version"], live["guide"]["hours"]) == (2, "全天")
    assert replica.reads.search("个体工商户").hits[0].doc.version == 2

    # Withdrawal reaches the replica the same way; a redelivered event changes nothing.
    service.withdraw(unit.JINJIANG, item_id, "政策调整，暂停办理")
    relay.run_once()
    assert consumer.run_once(5.0)
    with pytest.raises(unit.NotFound):
        replica.reads.guide(item_id)
    assert replica.reads.search("个体工商户").total == 0
    consumer.close()
