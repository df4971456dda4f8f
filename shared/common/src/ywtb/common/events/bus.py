"""The event bus interface both Kafka and the embedded log implement."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Headers = list[tuple[str, bytes]]
Start = Literal["earliest", "latest"]


@dataclass(frozen=True)
class Record:
    """One record read from a topic partition."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: Headers

    def header(self, name: str) -> str | None:
        """The first header of that name, decoded as UTF-8."""
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", errors="replace") if value is not None else None
        return None


@dataclass(frozen=True)
class Delivery:
    """The outcome of one publish: ok, or an error that is transient (retry) or permanent."""

    ok: bool
    error: str | None = None
    permanent: bool = False


DeliveryCallback = Callable[[Delivery], None]


class PublishRejected(Exception):
    """The bus refused a record outright (bad topic, too large): retrying it as is will not help."""


class CommitFailed(Exception):
    """The commit did not happen (e.g. the partition went to another member): the record will be read again."""


class Subscription(abc.ABC):
    """A consumer-group member reading a set of topics, committing offsets explicitly."""

    @abc.abstractmethod
    def poll(self, timeout: float) -> Record | None:
        """The next record of an assigned partition, or None after timeout seconds."""

    @abc.abstractmethod
    def commit(self, record: Record) -> None:
        """Commit the group's position just past this record; CommitFailed when this member no longer owns it."""

    @abc.abstractmethod
    def seek(self, record: Record) -> None:
        """Read this record again at the next poll (its partition rewinds to it)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Leave the group without committing anything more."""

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus(abc.ABC):
    """Publish records by key (per-key order kept) and subscribe as a consumer group."""

    @abc.abstractmethod
    def publish(
        self,
        topic: str,
        key: str,
        value: bytes,
        headers: Headers,
        on_delivery: DeliveryCallback | None = None,
    ) -> None:
        """Queue one record; on_delivery is called with the outcome by the next flush at latest."""

    @abc.abstractmethod
    def flush(self, timeout: float) -> int:
        """Wait for outstanding deliveries; the number still outstanding after timeout."""

    @abc.abstractmethod
    def subscribe(self, group: str, topics: list[str], *, start: Start = "earliest") -> Subscription:
        """Join a consumer group on these topics; `start` is where a group with no committed offset begins."""

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the bus."""
