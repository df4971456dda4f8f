"""A service's SQLAlchemy MetaData, created holding its outbox and inbox tables."""

from __future__ import annotations

from sqlalchemy import MetaData, Table

from ywtb.common.inbox import INBOX_TABLE, define_inbox
from ywtb.common.outbox import OUTBOX_TABLE, Publisher, define_outbox


class ServiceMetadata(MetaData):
    """The metadata of one service's database: its own tables plus the outbox and the inbox."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        define_outbox(self)
        define_inbox(self)

    @property
    def outbox(self) -> Table:
        """The transactional outbox (the relay publishes its rows)."""
        return self.tables[OUTBOX_TABLE]

    @property
    def inbox(self) -> Table:
        """The idempotent consumer's inbox (one row per consumed event per group)."""
        return self.tables[INBOX_TABLE]

    def publisher(self, topic: str = "") -> Publisher:
        """The service's publisher (source /ywtb/<service>); without a default topic each call names one."""
        return Publisher(self.outbox, source=event_source(self.service), topic=topic)


def event_source(service: str) -> str:
    """The CloudEvents source of a service's events: /ywtb/<service>."""
    return f"/ywtb/{service}"


def service_metadata(service: str) -> ServiceMetadata:
    """The MetaData of a service's declarative Base (service = its short name, e.g. "intake")."""
    return ServiceMetadata(service)
