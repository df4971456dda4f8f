"""What the catalog service publishes (item.published, item.withdrawn) and what it consumes (its own
item events, to refresh every replica's guide cache and search index)."""

from __future__ import annotations

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from ywtb.api.catalog.v1 import events_pb2
from ywtb.catalog.models import outbox
from ywtb.common.events.envelope import Event
from ywtb.common.outbox import add_event

SOURCE = "/ywtb/catalog"
ITEM_TOPIC = "ywtb.catalog.item.v1"
CACHE_GROUP_PREFIX = "ywtb-catalog-cache-"
ITEM_EVENT_TYPES = {
    "ywtb.catalog.v1.ItemPublished": events_pb2.ItemPublished,
    "ywtb.catalog.v1.ItemWithdrawn": events_pb2.ItemWithdrawn,
}


def publish(session: Session, message: Message, *, key: str, tenant: str) -> None:
    """Stage an item event in the current transaction (key = item id)."""
    add_event(session, outbox, message, topic=ITEM_TOPIC, key=key, source=SOURCE, tenant=tenant)


def cache_group(instance_id: str) -> str:
    """The consumer group of one replica: every replica sees every item event."""
    return CACHE_GROUP_PREFIX + instance_id


def item_id_of(event: Event) -> str | None:
    """The item an item event is about (None for event types this consumer ignores)."""
    cls = ITEM_EVENT_TYPES.get(event.type)
    if cls is None:
        return None
    return event.parse(cls).item_id
