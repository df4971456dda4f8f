"""The catalog service (事项目录): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.catalog.cache import GuideCache, LocalGuideCache, RedisGuideCache
from ywtb.catalog.config import CatalogSettings
from ywtb.catalog.events import ITEM_TOPIC, cache_group, item_id_of
from ywtb.catalog.grpc_api import CatalogServicer
from ywtb.catalog.models import inbox, metadata
from ywtb.catalog.reads import GuideReads
from ywtb.catalog.search import SearchIndex
from ywtb.catalog.seed import seed_demo
from ywtb.catalog.service import CatalogService
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.inbox import IdempotentConsumer
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service


def cache_for(settings: CatalogSettings) -> GuideCache:
    """Redis on the full stack; an in-process cache on the embedded default."""
    return RedisGuideCache(settings.redis_url) if settings.redis_url else LocalGuideCache()


def cache_consumer(bus: EventBus, db: Database, reads: GuideReads, instance_id: str) -> IdempotentConsumer:
    """This replica's consumer of item events: invalidates its guide cache, refreshes its search index."""

    def handle(session, event) -> None:  # type: ignore[no-untyped-def]
        item_id = item_id_of(event)
        if item_id:
            reads.refresh(session, item_id)

    # The index and cache are rebuilt from the database at start-up: only newer events matter.
    return IdempotentConsumer(
        bus=bus,
        db=db,
        inbox=inbox,
        group=cache_group(instance_id),
        topics=[ITEM_TOPIC],
        handler=handle,
        start="latest",
    )


def build(kit: Kit[CatalogSettings]) -> Parts:
    """The service (demo catalogue seeded when asked), its servicer and this replica's cache consumer."""
    settings = kit.settings
    reads = GuideReads(kit.db, cache_for(settings), SearchIndex(), ttl_s=settings.guide_cache_ttl_s)
    service = CatalogService(
        kit.db,
        reads,
        province_tenant=settings.province_tenant,
        code_pattern=settings.implementation_code_pattern,
    )
    if settings.seed_demo:
        seed_demo(service)
    reads.rebuild_index()
    return Parts(
        servicers=[(catalog_pb2_grpc.add_CatalogServiceServicer_to_server, CatalogServicer(service))],
        workers={"cache": cache_consumer(kit.bus, kit.db, reads, settings.instance_id).run},
    )


SPEC = ServiceSpec(name="catalog", settings=CatalogSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
