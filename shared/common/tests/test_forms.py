"""The merged form schema of a 一件事 bundle."""

from __future__ import annotations

from ywtb.common.forms import merged_form_schema

BIRTH = {
    "type": "object",
    "required": ["child_name", "mobile"],
    "properties": {"child_name": {"type": "string", "maxLength": 50}, "mobile": {"type": "string"}},
    "additionalProperties": False,
}
CARD = {
    "type": "object",
    "required": ["mobile", "delivery"],
    "properties": {"mobile": {"type": "string", "pattern": "^1"}, "delivery": {"enum": ["邮寄"]}},
}


def test_no_or_one_schema_is_kept_as_it_is() -> None:
    assert merged_form_schema([]) == {}
    assert merged_form_schema([{}, BIRTH, {}]) is BIRTH


def test_union_of_properties_and_required_fields_the_first_definition_wins() -> None:
    merged = merged_form_schema([BIRTH, CARD])
    assert merged["type"] == "object"
    assert list(merged["properties"]) == ["child_name", "mobile", "delivery"]
    assert merged["properties"]["mobile"] == {"type": "string"}
    assert merged["required"] == ["child_name", "mobile", "delivery"]
    assert "additionalProperties" not in merged  # CARD accepts unknown fields


def test_unknown_fields_refused_only_when_every_schema_refuses_them() -> None:
    strict = {**CARD, "additionalProperties": False}
    assert merged_form_schema([BIRTH, strict])["additionalProperties"] is False
    assert "required" not in merged_form_schema([{"properties": {"a": {}}}, {"properties": {"b": {}}}])
