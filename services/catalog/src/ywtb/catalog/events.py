"""What the catalog service publishes (item.published, item.withdrawn) and what it consumes (its own
item events, to refresh every replica's guide cache and search index)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from ywtb.api.catalog.v1 import catalog_pb2, events_pb2
from ywtb.catalog.guide import Guide
from ywtb.catalog.models import Item, ItemVersion, outbox
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


CASE_TYPES = {"instant": catalog_pb2.CASE_TYPE_INSTANT, "promised": catalog_pb2.CASE_TYPE_PROMISED}
UNITS = {"workday": catalog_pb2.TIME_UNIT_WORKDAY, "natural_day": catalog_pb2.TIME_UNIT_NATURAL_DAY}


def _ts(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return ts


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
        published_at=_ts(version.published_at),
    )


def item_withdrawn(item: Item, live_version: int, reason: str) -> events_pb2.ItemWithdrawn:
    """item.withdrawn of the version that was live."""
    return events_pb2.ItemWithdrawn(
        item_id=item.id,
        version=live_version,
        tenant=item.tenant,
        dept=item.dept,
        basic_code=item.basic_code,
        reason=reason,
        withdrawn_at=_ts(datetime.now(UTC)),
    )
