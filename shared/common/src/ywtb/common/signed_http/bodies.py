"""A wire's JSON bodies: compact UTF-8 objects, typed fields, instants with an offset; WireError otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from ywtb.common.calendar import SHANGHAI

T = TypeVar("T")


class WireError(ValueError):
    """A body that is not the JSON the wire defines."""


def dumps(body: dict[str, Any]) -> bytes:
    """A body as compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(raw: bytes) -> dict[str, Any]:
    """A JSON object from raw bytes."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WireError(f"not JSON: {error}") from error
    if not isinstance(body, dict):
        raise WireError("not a JSON object")
    return body


def format_time(moment: datetime) -> str:
    """An aware instant as ISO 8601 in Beijing time, to the second."""
    if moment.tzinfo is None:
        raise WireError("a naive datetime cannot go on the wire")
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """An ISO 8601 instant with its offset, as an aware UTC datetime (what every column stores)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise WireError(f"not an ISO 8601 time: {text[:40]!r}") from error
    if moment.tzinfo is None:
        raise WireError(f"time without an offset: {text[:40]!r}")
    return moment.astimezone(UTC)


def field(body: dict[str, Any], name: str, kind: type[T]) -> T:
    """body[name], which must be of `kind` (an int is never a bool)."""
    value = body.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WireError(f"{name}: expected {kind.__name__}")
    return value


def time_field(body: dict[str, Any], name: str) -> datetime:
    """body[name] as an instant (parse_time)."""
    return parse_time(field(body, name, str))


def objects(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """body[name], which must be a list of JSON objects."""
    items = field(body, name, list)
    if not all(isinstance(item, dict) for item in items):
        raise WireError(f"{name}: expected objects")
    return items
