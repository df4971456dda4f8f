"""The CloudEvents 1.0 envelope in Kafka binary mode: ce_* headers, protobuf JSON as the value."""

from __future__ import annotations

import builtins
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from ywtb.common.events.bus import Headers, Record

CONTENT_TYPE = "application/json"
M = TypeVar("M", bound=Message)


class MalformedEvent(ValueError):
    """A record that is not a valid ywtb CloudEvent; it can never be processed."""


def event_type_of(message: Message) -> str:
    """The ce_type of a protobuf event: `ywtb.api.intake.v1.CaseAccepted` -> `ywtb.intake.v1.CaseAccepted`."""
    name = message.DESCRIPTOR.full_name
    return name.replace("ywtb.api.", "ywtb.", 1) if name.startswith("ywtb.api.") else name


@dataclass(frozen=True)
class Event:
    """One domain event as it travels on the bus."""

    topic: str
    key: str
    type: str
    source: str
    tenant: str
    data: bytes
    subject: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None
    tracestate: str | None = None

    @classmethod
    def of(cls, message: Message, *, topic: str, key: str, source: str, tenant: str, **extra: Any) -> Event:
        """Wrap a protobuf event message in canonical proto JSON."""
        data = json_format.MessageToJson(message, indent=None).encode("utf-8")
        return cls(
            topic=topic,
            key=key,
            type=extra.pop("type", None) or event_type_of(message),
            source=source,
            tenant=tenant,
            data=data,
            **extra,
        )

    def headers(self) -> Headers:
        """CloudEvents binary-mode headers, with W3C trace context."""
        headers: Headers = [
            ("ce_specversion", b"1.0"),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", self.time.astimezone(UTC).isoformat().replace("+00:00", "Z").encode()),
            ("ce_tenant", self.tenant.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.subject:
            headers.append(("ce_subject", self.subject.encode()))
        if self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        if self.tracestate:
            headers.append(("tracestate", self.tracestate.encode()))
        return headers

    @classmethod
    def from_record(cls, record: Record) -> Event:
        """Read an event back from a record; MalformedEvent when it cannot be one."""
        missing = [h for h in ("ce_id", "ce_type", "ce_source", "ce_specversion") if not record.header(h)]
        if missing:
            raise MalformedEvent(f"missing CloudEvents headers: {', '.join(missing)}")
        if record.header("ce_specversion") != "1.0":
            raise MalformedEvent(f"unsupported ce_specversion {record.header('ce_specversion')!r}")
        try:
            json.loads(record.value)
        except (ValueError, TypeError) as exc:
            raise MalformedEvent(f"value is not JSON: {exc}") from exc
        raw_time = record.header("ce_time")
        try:
            time = datetime.fromisoformat(raw_time.replace("Z", "+00:00")) if raw_time else datetime.now(UTC)
        except ValueError as exc:
            raise MalformedEvent(f"bad ce_time {raw_time!r}") from exc
        return cls(
            topic=record.topic,
            key=record.key or "",
            type=record.header("ce_type") or "",
            source=record.header("ce_source") or "",
            tenant=record.header("ce_tenant") or "",
            subject=record.header("ce_subject") or "",
            id=record.header("ce_id") or "",
            time=time,
            data=record.value,
            traceparent=record.header("traceparent"),
            tracestate=record.header("tracestate"),
        )

    def json(self) -> dict[str, Any]:
        """The event data as a dict."""
        return json.loads(self.data)

    def parse(self, message_cls: builtins.type[M]) -> M:  # `type` is a field of Event
        """The event data as a protobuf message; MalformedEvent when it does not fit."""
        try:
            return json_format.Parse(self.data, message_cls(), ignore_unknown_fields=True)
        except json_format.ParseError as exc:
            raise MalformedEvent(f"data does not fit {message_cls.DESCRIPTOR.full_name}: {exc}") from exc
