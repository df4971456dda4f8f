"""Protobuf replies as the gateway's JSON (field names as in the protos)."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message


def to_json(message: Message) -> dict[str, Any]:
    """A reply message as JSON, every field present, enums by name."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
