"""What the catalog service publishes (item.published, item.withdrawn) and what it consumes (its own
item events, to refresh every replica's guide cache and search index)."""

from __future__ import annotations

from datetime import datetime

from ywtb.api.catalog.v1 import catalog_pb2, events_pb2
from ywtb.catalog.guide import Guide
from ywtb.catalog.models import Item, ItemVersion, metadata
from ywtb.common.events.envelope import Event
from ywtb.common.events.typed import EventTypes
from ywtb.common.timestamps import timestamp

ITEM_TOPIC = "ywtb.catalog.item.v1"
CACHE_GROUP_PREFIX = "ywtb-catalog-cache-"
ITEM_EVENTS = EventTypes(events_pb2.ItemPublished, events_pb2.ItemWithdrawn)

publish = metadata.publisher(ITEM_TOPIC)  # key = item id


def cache_group(instance_id: str) -> str:
    """The consumer group of one replica: every replica sees every item event."""
    return CACHE_GROUP_PREFIX + instance_id


def item_id_of(event: Event) -> str | None:
    """The item an item event is about (None for event types this consumer ignores)."""
    message = ITEM_EVENTS.parse(event)
    return None if message is None else message.item_id  # type: ignore[attr-defined]  # every item event has it


CASE_TYPES = {"instant": catalog_pb2.CASE_TYPE_INSTANT, "promised": catalog_pb2.CASE_TYPE_PROMISED}
UNITS = {"workday": catalog_pb2.TIME_UNIT_WORKDAY, "natural_day": catalog_pb2.TIME_UNIT_NATURAL_DAY}


def item_published(item: Item, version: ItemVersion, guide: Guide) -> events_pb2.ItemPublished:
    """item.published of a new version."""
    return events_pb2.ItemPublished(
        item_id=item.id,
        version=version.version,
        tenant=item.tenant,
        dept=item.dept,
        basic_code=item.basic_code,
        implementation_code=item.implementation_code,
        name=guide.name,
        case_type=CASE_TYPES[guide.case_type],
        promised_limit=catalog_pb2.TimeLimit(
            value=guide.promised_limit.value, unit=UNITS[guide.promised_limit.unit]
        ),
        legal_limit=catalog_pb2.TimeLimit(value=guide.legal_limit.value, unit=UNITS[guide.legal_limit.unit]),
        process=version.process,
        published_at=timestamp(version.published_at),
    )


def item_withdrawn(item: Item, live_version: int, reason: str, at: datetime) -> events_pb2.ItemWithdrawn:
    """item.withdrawn of the version that was live."""
    return events_pb2.ItemWithdrawn(
        item_id=item.id,
        version=live_version,
        tenant=item.tenant,
        dept=item.dept,
        basic_code=item.basic_code,
        reason=reason,
        withdrawn_at=timestamp(at),
    )
