"""Catalog rows and documents to their protobuf messages and back (the one place that knows both).

Guides are stored as JSON documents whose field names are the proto field names; enumerations are
stored as lower-case words ("workday", "natural_person") and travel as proto enums
(TIME_UNIT_WORKDAY, SERVICE_OBJECT_NATURAL_PERSON): the word is the enum name without its prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.timestamp_pb2 import Timestamp

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.catalog import models
from ywtb.catalog.basic import BasicChange
from ywtb.catalog.guide import parse_guide, process_of
from ywtb.common.structs import whole_numbers
from ywtb.common.timestamps import timestamp as common_timestamp

BASIC_STATUS = {
    "active": pb.BASIC_ITEM_STATUS_ACTIVE,
    "suspended": pb.BASIC_ITEM_STATUS_SUSPENDED,
    "cancelled": pb.BASIC_ITEM_STATUS_CANCELLED,
    "split": pb.BASIC_ITEM_STATUS_SPLIT,
    "merged": pb.BASIC_ITEM_STATUS_MERGED,
}
ITEM_STATUS = {
    "draft": pb.ITEM_STATUS_DRAFT,
    "submitted": pb.ITEM_STATUS_SUBMITTED,
    "returned": pb.ITEM_STATUS_RETURNED,
    "approved": pb.ITEM_STATUS_APPROVED,
    "published": pb.ITEM_STATUS_PUBLISHED,
    "withdrawn": pb.ITEM_STATUS_WITHDRAWN,
}
ITEM_STATUS_NAMES = {number: name for name, number in ITEM_STATUS.items()}
SERVICE_OBJECTS = {
    pb.SERVICE_OBJECT_NATURAL_PERSON: "natural_person",
    pb.SERVICE_OBJECT_LEGAL_PERSON: "legal_person",
}


def timestamp(moment: datetime | str | None) -> Timestamp | None:
    """A protobuf Timestamp of a datetime or of an ISO string (as versions store them)."""
    return common_timestamp(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)


def _enum_prefix(field: FieldDescriptor) -> str:
    # TIME_UNIT_WORKDAY → prefix TIME_UNIT_ (the enum type name in upper snake case).
    enum = field.enum_type
    assert enum is not None  # only called for enum fields
    name = enum.name
    return "".join("_" + c if c.isupper() and i else c for i, c in enumerate(name)).upper() + "_"


def _walk(value: Any, descriptor: Descriptor, to_proto: bool) -> Any:
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = descriptor.fields_by_name.get(key)
        if field is None:
            out[key] = item
        elif field.type == FieldDescriptor.TYPE_ENUM:
            prefix = _enum_prefix(field)

            def convert(v: Any, prefix: str = prefix) -> Any:
                if to_proto:
                    return prefix + str(v).upper() if v else prefix + "UNSPECIFIED"
                return "" if v.endswith("_UNSPECIFIED") else v.removeprefix(prefix).lower()

            out[key] = [convert(v) for v in item] if isinstance(item, list) else convert(item)
        elif (
            field.type == FieldDescriptor.TYPE_MESSAGE
            and field.message_type is not None
            and field.message_type.full_name != "google.protobuf.Struct"
        ):
            sub = field.message_type
            out[key] = (
                [_walk(v, sub, to_proto) for v in item]
                if isinstance(item, list)
                else _walk(item, sub, to_proto)
            )
        else:
            out[key] = item
    return out


def guide(document: dict[str, Any]) -> pb.Guide:
    """A stored guide document as its message."""
    message = pb.Guide()
    json_format.ParseDict(_walk(document, pb.Guide.DESCRIPTOR, True), message)
    return message


def guide_document(message: pb.Guide) -> dict[str, Any]:
    """A Guide message as the document the service validates (every field; unset enums take the defaults)."""
    raw = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    document = _walk(raw, pb.Guide.DESCRIPTOR, False)

    def drop_unset(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: drop_unset(v) for k, v in value.items() if v != ""}
        if isinstance(value, list):
            return [drop_unset(v) for v in value]
        return value

    document = drop_unset(document)
    if "form_schema" in document:
        document["form_schema"] = whole_numbers(document["form_schema"])
    return document


def basic_item(row: models.BasicItem) -> pb.BasicItem:
    return pb.BasicItem(
        basic_code=row.basic_code,
        name=row.name,
        item_type=row.item_type,
        exercise_levels=row.exercise_levels,
        legal_basis=row.legal_basis,
        status=BASIC_STATUS[row.status],
        catalogue_version=row.catalogue_version,
        successors=row.successors,
    )


def basic_change(message: pb.BasicChange) -> BasicChange:
    return BasicChange(
        basic_code=message.basic_code.strip().upper(),
        change=pb.ChangeKind.Name(message.change).removeprefix("CHANGE_KIND_").lower(),
        name=message.name,
        item_type=message.item_type,
        exercise_levels=tuple(message.exercise_levels),
        legal_basis=message.legal_basis,
        split_into=tuple((s.basic_code.strip().upper(), s.name) for s in message.split_into),
        merged_from=tuple(code.strip().upper() for code in message.merged_from),
    )


def item(row: models.Item) -> pb.Item:
    return pb.Item(
        id=row.id,
        tenant=row.tenant,
        dept=row.dept,
        dept_name=row.dept_name,
        basic_code=row.basic_code,
        implementation_code=row.implementation_code,
        status=ITEM_STATUS[row.status],
        guide=guide(row.draft),
        keywords=row.keywords,
        revision=row.revision,
        published_version=row.published_version,
        latest_version=row.latest_version,
        return_reason=row.return_reason,
        process=process_of(parse_guide(row.draft)),
        updated_at=timestamp(row.updated_at),
        updated_by=row.updated_by,
    )


def guide_version(payload: dict[str, Any]) -> pb.GuideVersion:
    """A published version (the cached document of ywtb.catalog.reads) as its message."""
    return pb.GuideVersion(
        item_id=payload["item_id"],
        version=payload["version"],
        tenant=payload["tenant"],
        dept=payload["dept"],
        dept_name=payload["dept_name"],
        basic_code=payload["basic_code"],
        item_type=payload["item_type"],
        implementation_code=payload["implementation_code"],
        process=payload["process"],
        guide=guide(payload["guide"]),
        published_at=timestamp(payload["published_at"]),
        published_by=payload["published_by"],
    )


def material(document: dict[str, Any]) -> pb.Material:
    message = pb.Material()
    json_format.ParseDict(_walk(document, pb.Material.DESCRIPTOR, True), message)
    return message


def bundle(row: models.Bundle, versions=(), materials=(), unavailable=()) -> pb.Bundle:  # type: ignore[no-untyped-def]
    return pb.Bundle(
        code=row.code,
        tenant=row.tenant,
        name=row.name,
        description=row.description,
        process=row.process,
        items=[guide_version(v) for v in versions],
        materials=[pb.BundleMaterial(material=material(m), item_ids=ids) for m, ids in materials],
        unavailable_item_ids=list(unavailable),
    )
