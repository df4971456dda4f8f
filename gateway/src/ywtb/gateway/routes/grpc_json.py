"""Protobuf replies as the gateway's JSON (field names as in the protos)."""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from ywtb.common.errors import InvalidArgument

M = TypeVar("M", bound=Message)


def to_json(message: Message) -> dict[str, Any]:
    """A reply message as JSON, every field present, enums by name."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def from_json(data: dict[str, Any], message: M, field: str = "body") -> M:
    """A request message from client JSON (proto field names); a Chinese 422 when it does not fit."""
    try:
        return json_format.ParseDict(data, message, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        text = f"提交的数据格式不正确，请按接口文档检查后重新提交：{exc}"
        raise InvalidArgument(text, message_en=str(exc), fields={field: text}) from exc
