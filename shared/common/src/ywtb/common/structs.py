"""JSON values that crossed a google.protobuf.Struct."""

from __future__ import annotations

from typing import Any


def whole_numbers(value: Any) -> Any:
    """`value` with every whole float as an int: a Struct carries all numbers as doubles (show 5, not 5.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value
