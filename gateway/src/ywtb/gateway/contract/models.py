"""Pydantic models derived at import time from protobuf descriptors, typed as the gateway's proto JSON."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ywtb.gateway.contract.comments import comment
from ywtb.gateway.contract.examples import example_value, message_example

_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
_UINT32 = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_FLOAT = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT}
INT32_MAX = 2**31 - 1  # a query parameter bound for an int32 field
Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
UInt32 = Annotated[int, Field(ge=0, le=2**32 - 1)]
# proto3 JSON writes 64-bit integers as decimal strings; it reads either form.
Int64Out = Annotated[str, Field(pattern=r"^-?\d{1,19}$")]
Int64In = Int64Out | Annotated[int, Field(ge=-(2**63), le=2**64 - 1)]


def _enum_type(enum: EnumDescriptor, *, output: bool) -> Any:
    names = tuple(v.name for v in enum.values)
    numbers = tuple(v.number for v in enum.values)
    if output:
        return Literal[names]  # the gateway writes enums by name
    return Literal[names] | Literal[numbers]  # proto JSON reads a name or a number


def set_enum(enum: EnumDescriptor) -> Any:
    """An input enum without its zero value (UNSPECIFIED): a name or a number of a set value."""
    names = tuple(v.name for v in enum.values if v.number)
    numbers = tuple(v.number for v in enum.values if v.number)
    return Literal[names] | Literal[numbers]


def _well_known(descriptor: Descriptor, *, output: bool) -> Any | None:
    name = descriptor.full_name
    if name == "google.protobuf.Timestamp":
        return (
            Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})] if output else datetime
        )
    if name == "google.protobuf.Struct":
        return dict[str, Any]
    if name == "google.protobuf.Value":
        return Any
    if name == "google.protobuf.ListValue":
        return list[Any]
    return None


def _scalar(field: FieldDescriptor, *, output: bool) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return _well_known(field.message_type, output=output) or message_model(
            field.message_type, output=output
        )
    if field.type == FieldDescriptor.TYPE_ENUM:
        return _enum_type(field.enum_type, output=output)
    if field.type in _INT32:
        return Int32
    if field.type in _UINT32:
        return UInt32
    if field.type in _INT64:
        return Int64Out if output else Int64In
    if field.type in _FLOAT:
        return float
    if field.type == FieldDescriptor.TYPE_BOOL:
        return bool
    if field.type == FieldDescriptor.TYPE_BYTES:
        return Annotated[str, WithJsonSchema({"type": "string", "format": "byte"})]  # base64
    return str


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.GetOptions().map_entry
        and field.is_repeated
    )


def field_type(field: FieldDescriptor, *, output: bool) -> Any:
    """The Python type of one field in proto JSON (repeated as lists, maps as objects)."""
    if _is_map(field):
        return dict[str, _scalar(field.message_type.fields_by_name["value"], output=output)]  # type: ignore[misc]
    if field.is_repeated:
        return list[_scalar(field, output=output)]  # type: ignore[misc]
    return _scalar(field, output=output)


def always_written(field: FieldDescriptor) -> bool:
    """True when the gateway's JSON always carries the field (no presence: scalars, lists, maps)."""
    return not field.has_presence


def model_name(descriptor: Descriptor, *, output: bool = True) -> str:
    """A component name unique across packages: ywtb.api.intake.v1.Case -> intake_v1_Case (_Input)."""
    name = descriptor.full_name.removeprefix("ywtb.api.").replace(".", "_")
    return name if output else f"{name}_Input"


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def field_info(field: FieldDescriptor, *, output: bool, required: bool) -> FieldInfo:
    """The field's description (its proto comment), example and default."""
    extra: dict[str, Any] = {"description": comment(field.full_name)} if comment(field.full_name) else {}
    example = example_value(field)
    if example is not None:
        extra["examples"] = [example]
    if required:
        return Field(..., **extra)
    # Absent in the JSON (never null): no default in the schema.
    return Field(default=None, json_schema_extra=_drop_default, **extra)


@cache
def message_model(descriptor: Descriptor, *, output: bool = True) -> type[BaseModel]:
    """The model of a message as the gateway writes it (output) or reads it (input, every field optional)."""
    fields: dict[str, Any] = {}
    for field in descriptor.fields:
        required = output and always_written(field)
        fields[field.name] = (
            field_type(field, output=output),
            field_info(field, output=output, required=required),
        )
    config = ConfigDict(
        extra="forbid",
        title=model_name(descriptor, output=output),
        json_schema_extra=_description(descriptor),
    )
    return create_model(model_name(descriptor, output=output), __config__=config, **fields)


def _description(descriptor: Descriptor) -> dict[str, Any]:
    text = comment(descriptor.full_name)
    return {"description": text} if text else {}


def input_model(
    descriptor: Descriptor,
    *,
    exclude: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    rules: dict[str, FieldInfo] | None = None,
    types: dict[str, Any] | None = None,
    name: str = "",
) -> type[BaseModel]:
    """A request body: the message's fields less `exclude` (taken from the path), with `rules` narrowing fields.

    `required` fields must be sent (proto3 has none); a rule adds the gateway's constraints to a field
    (length, pattern); `types` narrows a field's
    type (a nested body with its own rules, fewer enum values). Naming a field the message does not have
    fails at import, so neither can drift from the protos.
    """
    rules, types = rules or {}, types or {}
    unknown = (set(rules) | set(types) | set(exclude) | set(required)) - set(descriptor.fields_by_name)
    if unknown:
        raise ValueError(f"{descriptor.full_name} has no field(s) {sorted(unknown)}")
    narrowed = {n for n in types if descriptor.fields_by_name[n].type != FieldDescriptor.TYPE_MESSAGE}
    fields: dict[str, Any] = {}
    for field in descriptor.fields:
        if field.name in exclude:
            continue
        info = field_info(field, output=False, required=False)
        if field.name in narrowed:  # the proto's example may not fit the narrower type
            info = FieldInfo.merge_field_infos(info, examples=None)
        if field.name in rules:
            info = FieldInfo.merge_field_infos(info, rules[field.name])
        if field.name in required:
            info = FieldInfo.merge_field_infos(info, default=PydanticUndefined)
        fields[field.name] = (types.get(field.name, field_type(field, output=False)), info)
    title = name or model_name(descriptor, output=False)
    # A narrowed scalar may not take the proto's example; a narrowed message body is the same message.
    example = {k: v for k, v in message_example(descriptor).items() if k in fields and k not in narrowed}
    extra = {**_description(descriptor), "examples": [example]}
    config = ConfigDict(extra="forbid", title=title, json_schema_extra=extra)
    return create_model(title, __config__=config, **fields)
