"""The OpenAPI document: every body and answer typed from the protos, errors documented, examples that fit."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from pydantic import BaseModel

from ywtb.api.approval.v1 import approval_pb2
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.common.v1 import common_pb2
from ywtb.api.identity.v1 import identity_pb2
from ywtb.api.intake.v1 import intake_pb2
from ywtb.common.error_codes import ERROR_CODES
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings
from ywtb.gateway.contract.answers import ErrorResponse
from ywtb.gateway.contract.examples import message_example
from ywtb.gateway.contract.models import message_model
from ywtb.gateway.routes.grpc_json import to_json

MESSAGES = [
    descriptor
    for module in (approval_pb2, catalog_pb2, common_pb2, identity_pb2, intake_pb2)
    for descriptor in module.DESCRIPTOR.message_types_by_name.values()
]
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(GatewaySettings(internal_signing_key="local-dev-only-gateway-key")).openapi()  # type: ignore[arg-type]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS]


def _filled(message: Message, depth: int = 0) -> Message:
    """`message` with every field set (one element per list and map), as a reply can carry it."""
    for field in message.DESCRIPTOR.fields:
        if field.containing_oneof and message.WhichOneof(field.containing_oneof.name):
            continue
        if field.message_type and field.message_type.GetOptions().map_entry:
            key = field.message_type.fields_by_name["key"]
            value = field.message_type.fields_by_name["value"]
            if value.type != FieldDescriptor.TYPE_MESSAGE:
                getattr(message, field.name)[_scalar(key)] = _scalar(value)
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth > 3:
                continue
            full = field.message_type.full_name
            target = getattr(message, field.name)
            item = target.add() if field.is_repeated else target
            if full == "google.protobuf.Timestamp":
                item.FromJsonString("2026-12-03T09:30:00Z")
            elif full == "google.protobuf.Struct":
                item.update({"n": 5, "s": "x"})
            else:
                _filled(item, depth + 1)
                if not field.is_repeated:
                    item.SetInParent()
        elif field.is_repeated:
            getattr(message, field.name).append(_scalar(field))
        else:
            setattr(message, field.name, _scalar(field))
    return message


def _scalar(field: FieldDescriptor) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[-1].number
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type == FieldDescriptor.TYPE_BYTES:
        return b"\x00\x01"
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 2.5
    if field.type == FieldDescriptor.TYPE_STRING:
        return "x"
    return 7


@pytest.mark.parametrize("descriptor", MESSAGES, ids=lambda d: d.full_name)
def test_the_derived_schema_fits_what_the_gateway_writes(descriptor: Descriptor) -> None:
    model: type[BaseModel] = message_model(descriptor)
    message_class = GetMessageClass(descriptor)
    model.model_validate(to_json(message_class()))  # every field at its default
    model.model_validate(to_json(_filled(message_class())))  # every field set
    model.model_validate(message_example(descriptor))  # the documented example


def test_every_operation_has_typed_bodies_and_answers(spec: dict[str, Any]) -> None:
    untyped = []
    for method, path, op in _operations(spec):
        body = op.get("requestBody", {}).get("content", {})
        for media, content in body.items():
            schema = content.get("schema", {})
            if media == "application/json" and "$ref" not in schema:
                untyped.append(f"{method} {path} request")
        for status, answer in op["responses"].items():
            for media, content in answer.get("content", {}).items():
                schema = content.get("schema", {})
                typed = (
                    "$ref" in schema or "$ref" in schema.get("items", {}) or schema.get("format") == "binary"
                )
                if not typed:
                    untyped.append(f"{method} {path} {status} {media}")
            if status.startswith("2") and not answer.get("content"):
                untyped.append(f"{method} {path} {status} without content")
    assert not untyped


def test_every_operation_documents_its_error_answers(spec: dict[str, Any]) -> None:
    missing = []
    for method, path, op in _operations(spec):
        answers = op["responses"]
        expected = {"500", "503", "504"} | ({"401"} if op.get("security") else set())
        if op.get("parameters") or op.get("requestBody"):
            expected |= {"422"}
        if method in ("post", "put"):
            expected |= {"403"}
        for status in expected - set(answers):
            missing.append(f"{method} {path} {status}")
        for status, answer in answers.items():
            if status >= "400":
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorResponse", (method, path, status)
    assert not missing
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_the_error_shape_lists_the_published_codes(spec: dict[str, Any]) -> None:
    detail = spec["components"]["schemas"]["common_v1_ErrorDetail"]
    assert detail["properties"]["code"]["enum"] == list(ERROR_CODES)
    assert "docs/error-codes.md" in detail["properties"]["code"]["description"]
    assert detail["required"] == ["code", "message"]
    body = {
        "error": {"code": "CASE_NOT_FOUND", "message": "未找到该办件，请核对办件编号。"},
        "request_id": "r-1",
    }
    ErrorResponse.model_validate(body)
    with pytest.raises(ValueError):
        ErrorResponse.model_validate({**body, "error": {**body["error"], "code": "NO_SUCH_CODE"}})


def test_request_examples_fit_their_bodies(spec: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    components = spec["components"]["schemas"]
    for method, path, op in _operations(spec):
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        name = content["schema"]["$ref"].rsplit("/", 1)[1]
        schema = {**components[name], "components": {"schemas": components}}
        examples = components[name].get("examples")
        assert examples, f"{method} {path} has no example"
        validator = Draft202012Validator(schema)
        for example in examples:
            errors = [e.message for e in validator.iter_errors(example)]
            assert not errors, (method, path, errors)
