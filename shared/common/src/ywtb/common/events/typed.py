"""Reading events by parsing their proto (never by hand-reading the JSON): every consumer's parse helper."""

from __future__ import annotations

from typing import Generic, TypeVar

from google.protobuf.message import Message

from ywtb.common.events.envelope import Event, MalformedEvent, event_type_of

M = TypeVar("M", bound=Message)


def type_of(message_cls: type[Message]) -> str:
    """The ce_type of an event message class (`ywtb.intake.v1.CaseAccepted`)."""
    return event_type_of(message_cls())


def parse_event(event: Event, message_cls: type[M]) -> M:
    """The event as `message_cls`; MalformedEvent when its ce_type is another or its data does not fit."""
    expected = type_of(message_cls)
    if event.type != expected:
        raise MalformedEvent(f"event {event.id} is {event.type!r}, not {expected!r}")
    return event.parse(message_cls)


class EventTypes(Generic[M]):
    """The event messages one consumer reads, by ce_type; other types on the topic are skipped."""

    def __init__(self, *classes: type[M]) -> None:
        self.by_type: dict[str, type[M]] = {type_of(cls): cls for cls in classes}

    def parse(self, event: Event) -> M | None:
        """The parsed message, or None for a type this consumer does not read."""
        cls = self.by_type.get(event.type)
        return None if cls is None else event.parse(cls)
