"""The event bus on Apache Kafka (confluent-kafka): idempotent producer, manual commits."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from ywtb.common.events.bus import (
    CommitFailed,
    Delivery,
    DeliveryCallback,
    EventBus,
    Headers,
    PublishRejected,
    Record,
    Start,
    Subscription,
)

log = logging.getLogger(__name__)

_CLOSE_SECONDS = 30.0

_TRANSIENT = {
    KafkaError._MSG_TIMED_OUT,
    KafkaError._TIMED_OUT,
    KafkaError._TRANSPORT,
    KafkaError._ALL_BROKERS_DOWN,
    KafkaError._PURGE_QUEUE,
    KafkaError._PURGE_INFLIGHT,
}


def on_wire(namespace: str, name: str) -> str:
    """A topic or group name as the cluster sees it under a namespace."""
    return f"{namespace}.{name}" if namespace else name


def off_wire(namespace: str, name: str) -> str:
    """The plain name of a namespaced topic."""
    return name.removeprefix(f"{namespace}.") if namespace else name


def _delivery_of(err: KafkaError | None) -> Delivery:
    if err is None:
        return Delivery(ok=True)
    transient = err.retriable() or err.code() in _TRANSIENT or err.fatal()
    return Delivery(ok=False, error=f"{err.name()}: {err.str()}", permanent=not transient)


class KafkaBus(EventBus):
    """Kafka with the idempotent producer (acks=all, in-order, no duplicates from retries).

    A namespace (platforms side by side on one cluster: tests, benchmarks) prefixes every topic and
    consumer group on the wire as `<namespace>.<name>`; callers keep using the plain names.
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str = "ywtb",
        delivery_timeout_ms: int = 15000,
        config: Mapping[str, Any] | None = None,
        consumer_config: Mapping[str, Any] | None = None,
        namespace: str = "",
    ) -> None:
        self.namespace = namespace
        self._common = {"bootstrap.servers": bootstrap, "client.id": client_id, **(config or {})}
        self._producer_config = {
            **self._common,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "delivery.timeout.ms": delivery_timeout_ms,
            "socket.connection.setup.timeout.ms": 5000,
            "reconnect.backoff.max.ms": 2000,
        }
        self._consumer_config = dict(consumer_config or {})
        self._producer: Producer | None = None

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            self._producer = Producer(self._producer_config)
        return self._producer

    def publish(
        self,
        topic: str,
        key: str,
        value: bytes,
        headers: Headers,
        on_delivery: DeliveryCallback | None = None,
    ) -> None:
        def report(err: KafkaError | None, _msg: Message) -> None:
            delivery = _delivery_of(err)
            if err is not None and err.fatal():
                self._reset_producer()
            if on_delivery:
                on_delivery(delivery)

        for _ in range(100):
            try:
                self.producer.produce(
                    on_wire(self.namespace, topic),
                    value=value,
                    key=key.encode("utf-8"),
                    headers=list(headers),
                    on_delivery=report,
                )
                self.producer.poll(0)
                return
            except BufferError:
                self.producer.poll(0.1)
            except (KafkaException, TypeError, ValueError) as exc:
                raise PublishRejected(str(exc)) from exc
        raise PublishRejected("producer queue stayed full")

    def _reset_producer(self) -> None:
        log.error("kafka producer hit a fatal error; a new producer will be created")
        self._producer = None

    def flush(self, timeout: float) -> int:
        if self._producer is None:
            return 0
        return self._producer.flush(timeout)

    def subscribe(self, group: str, topics: list[str], *, start: Start = "earliest") -> Subscription:
        return KafkaSubscription(
            self._common,
            on_wire(self.namespace, group),
            topics,
            {"auto.offset.reset": start, **self._consumer_config},
            namespace=self.namespace,
        )

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(10)
            self._producer = None


class KafkaSubscription(Subscription):
    """A consumer-group member; offsets committed synchronously, one record at a time."""

    def __init__(
        self,
        common: Mapping[str, Any],
        group: str,
        topics: list[str],
        consumer_config: Mapping[str, Any],
        *,
        namespace: str = "",
    ) -> None:
        self._namespace = namespace
        self._consumer = Consumer(
            {
                **common,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": 10000,
                "max.poll.interval.ms": 60000,
                **consumer_config,
                "heartbeat.interval.ms": 1000,
                "topic.metadata.refresh.interval.ms": 5000,
            }
        )
        self._consumer.subscribe([on_wire(namespace, topic) for topic in topics])
        self._closed = False

    def poll(self, timeout: float) -> Record | None:
        msg = self._consumer.poll(timeout)
        if msg is None:
            return None
        err = msg.error()
        if err is not None:
            if err.code() not in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                log.warning("kafka consumer error: %s", err)
            return None
        key, topic, partition, offset = msg.key(), msg.topic(), msg.partition(), msg.offset()
        if topic is None or partition is None or offset is None:  # only error messages lack them
            return None
        return Record(
            topic=off_wire(self._namespace, topic),
            partition=partition,
            offset=offset,
            key=key.decode("utf-8", errors="replace") if isinstance(key, bytes) else key,
            value=msg.value() or b"",
            headers=_headers(msg.headers()),
        )

    def commit(self, record: Record) -> None:
        try:
            self._consumer.commit(
                offsets=[
                    TopicPartition(
                        on_wire(self._namespace, record.topic), record.partition, record.offset + 1
                    )
                ],
                asynchronous=False,
            )
        except KafkaException as exc:
            raise CommitFailed(str(exc)) from exc

    def seek(self, record: Record) -> None:
        self._consumer.seek(
            TopicPartition(on_wire(self._namespace, record.topic), record.partition, record.offset)
        )

    def close(self) -> None:
        """Leave the group; bounded, since librdkafka's close can block forever after a lost partition."""
        if self._closed:
            return
        self._closed = True
        closer = threading.Thread(target=self._consumer.close, name="kafka-consumer-close", daemon=True)
        closer.start()
        closer.join(_CLOSE_SECONDS)
        if closer.is_alive():
            log.warning(
                "kafka consumer did not close in %s s; the group drops it after its session timeout",
                _CLOSE_SECONDS,
            )


def _headers(raw: dict[str, str | bytes | None] | list[tuple[str, str | bytes | None]] | None) -> Headers:
    """A consumed message's headers as (name, bytes) pairs (librdkafka gives a list of tuples)."""
    pairs = raw.items() if isinstance(raw, dict) else raw or []
    return [(name, value.encode() if isinstance(value, str) else value or b"") for name, value in pairs]
