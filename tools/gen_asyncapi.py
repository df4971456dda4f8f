"""Generate docs/asyncapi.yaml: the public Kafka topics (deploy/topics.yaml) and their event payloads (protos).

The payload schemas are derived from the generated event messages (`ywtb.api.<service>.v1.events_pb2`)
as they travel: canonical proto JSON (lowerCamelCase names, enums by name, 64-bit integers and
timestamps as strings). `make test` regenerates it and fails when the checked-in file differs.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import yaml
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from ywtb.common.events.topics import load_topics

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "asyncapi.yaml"
SCALARS = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
}
WELL_KNOWN = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Struct": {"type": "object"},
}


def field_schema(field: FieldDescriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_ENUM:
        schema: dict[str, Any] = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": field_schema(value, schemas)}
        schema = message_ref(field.message_type, schemas)
    else:
        schema = dict(SCALARS[field.type])
    is_repeated = field.is_repeated
    return {"type": "array", "items": schema} if is_repeated else schema


def message_ref(message: Descriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if message.full_name in WELL_KNOWN:
        return dict(WELL_KNOWN[message.full_name])
    name = message.full_name.replace("ywtb.api.", "").replace(".", "_")
    if name not in schemas:
        schemas[name] = {}  # placeholder against recursion
        schemas[name] = {
            "type": "object",
            "properties": {f.json_name: field_schema(f, schemas) for f in message.fields},
        }
    return {"$ref": f"#/components/schemas/{name}"}


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in load_topics(ROOT / "deploy" / "topics.yaml"):
        if not spec.public:
            continue
        service = spec.name.split(".")[1]
        try:
            module = importlib.import_module(f"ywtb.api.{service}.v1.events_pb2")
        except ModuleNotFoundError:
            continue  # the topic is reserved; its service publishes nothing yet
        refs = {}
        for descriptor in module.DESCRIPTOR.message_types_by_name.values():
            ce_type = descriptor.full_name.replace("ywtb.api.", "ywtb.", 1)
            key = ce_type.replace(".", "_")
            messages[key] = {
                "name": ce_type,
                "title": descriptor.name,
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
                "payload": message_ref(descriptor, schemas),
            }
            refs[key] = {"$ref": f"#/components/messages/{key}"}
        channel = spec.name.replace(".", "_")
        channels[channel] = {"address": spec.name, "description": spec.description, "messages": refs}
        operations[f"receive_{channel}"] = {"action": "receive", "channel": {"$ref": f"#/channels/{channel}"}}
    schemas["CloudEventsHeaders"] = {
        "type": "object",
        "description": "CloudEvents 1.0 binary mode as Kafka headers; the record key is the aggregate id",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_tenant"],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {"type": "string", "description": "unique event id; consumers deduplicate by it"},
            "ce_source": {"type": "string", "description": "the publishing service, e.g. /ywtb/intake"},
            "ce_type": {"type": "string", "description": "e.g. ywtb.intake.v1.CaseAccepted"},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {"type": "string", "description": "the aggregate id (the case number for cases)"},
            "ce_tenant": {"type": "string", "description": "6-digit region code of the tenant"},
            "traceparent": {"type": "string", "description": "W3C trace context"},
            "content-type": {"type": "string", "const": "application/json"},
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ywtb 一网通办 public event topics",
            "version": "1.0.0",
            "description": "Topics external systems (provincial platform, vertical ministry systems) may subscribe "
            "to, with Kafka ACLs per system. Generated by tools/gen_asyncapi.py; do not edit.",
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def main() -> int:
    OUT.parent.mkdir(exist_ok=True)
    text = yaml.safe_dump(document(), allow_unicode=True, sort_keys=True, width=110)
    OUT.write_text(
        "# Generated by tools/gen_asyncapi.py from deploy/topics.yaml and protos/ — do not edit.\n" + text
    )
    print(f"gen_asyncapi: wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
