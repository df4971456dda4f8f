"""Start the catalog service: settings, telemetry, database, cache, index, gRPC server, relay, cache consumer."""

from __future__ import annotations

from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.catalog.cache import GuideCache, LocalGuideCache, RedisGuideCache
from ywtb.catalog.config import CatalogSettings
from ywtb.catalog.events import ITEM_TOPIC, cache_group, item_id_of
from ywtb.catalog.grpc_api import CatalogServicer
from ywtb.catalog.models import inbox, outbox
from ywtb.catalog.reads import GuideReads
from ywtb.catalog.search import SearchIndex
from ywtb.catalog.seed import seed_demo
from ywtb.catalog.service import CatalogService
from ywtb.common.db import Database
from ywtb.common.events.bus import EventBus
from ywtb.common.grpc import build_server
from ywtb.common.inbox import IdempotentConsumer
from ywtb.common.logs import configure_logging
from ywtb.common.relay import OutboxRelay
from ywtb.common.runtime import Runtime, bus_for, database_for
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry

SERVICE_NAME = "ywtb-catalog"


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


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(CatalogSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    db = database_for(settings, "ywtb.catalog")
    reads = GuideReads(db, cache_for(settings), SearchIndex(), ttl_s=settings.guide_cache_ttl_s)
    service = CatalogService(
        db,
        reads,
        province_tenant=settings.province_tenant,
        code_pattern=settings.implementation_code_pattern,
    )
    if settings.seed_demo:
        seed_demo(service)
    reads.rebuild_index()
    bus = bus_for(settings, SERVICE_NAME)
    runtime = Runtime(SERVICE_NAME)
    runtime.add_worker("relay", OutboxRelay(db, outbox, bus).run)
    runtime.add_worker("cache", cache_consumer(bus, db, reads, settings.instance_id).run)
    server = build_server(
        [(catalog_pb2_grpc.add_CatalogServiceServicer_to_server, CatalogServicer(service))],
        port=settings.grpc_port,
        signing_key=settings.internal_signing_key.get_secret_value().encode(),
        service_name="ywtb.catalog",
    )
    runtime.serve(server)


if __name__ == "__main__":
    main()
