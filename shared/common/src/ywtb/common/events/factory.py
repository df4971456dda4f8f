"""Choose the event bus for the run mode: Kafka when a bootstrap is set, else the embedded log."""

from __future__ import annotations

from collections.abc import Mapping

from ywtb.common.events.bus import EventBus
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.events.kafka import KafkaBus


def make_bus(
    *,
    kafka_bootstrap: str | None,
    event_log_path: str | None,
    client_id: str,
    partitions: Mapping[str, int] | None = None,
    kafka_config: Mapping[str, str] | None = None,
    kafka_namespace: str = "",
) -> EventBus:
    """Kafka when kafka_bootstrap is given (topics and groups under kafka_namespace), the embedded log file otherwise."""
    if kafka_bootstrap:
        return KafkaBus(kafka_bootstrap, client_id=client_id, config=kafka_config, namespace=kafka_namespace)
    if not event_log_path:
        raise ValueError("either kafka_bootstrap or event_log_path must be set")
    return EmbeddedBus(event_log_path, partitions=partitions)
