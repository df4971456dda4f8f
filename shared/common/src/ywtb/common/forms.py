"""Form schemas shared by the services and the portal: the merged form of a 一件事 bundle."""

from __future__ import annotations

from typing import Any


def merged_form_schema(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """The union of object form schemas: every property (the first item's definition wins on a clash),
    every required field; unknown fields are refused only when every item refuses them."""
    schemas = [s for s in schemas if s]
    if not schemas:
        return {}
    if len(schemas) == 1:
        return schemas[0]
    properties: dict[str, Any] = {}
    required: list[str] = []
    for schema in schemas:
        for name, spec in (schema.get("properties") or {}).items():
            properties.setdefault(name, spec)
        required += [r for r in schema.get("required") or [] if r not in required]
    merged: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        merged["required"] = required
    if all(s.get("additionalProperties") is False for s in schemas):
        merged["additionalProperties"] = False
    return merged
