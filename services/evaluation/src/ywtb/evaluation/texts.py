"""The free texts people give (notes, results, reasons, questions): stripped and within their bounds."""

from __future__ import annotations

from ywtb.common.errors import InvalidArgument


def text_of(given: str, low: int, high: int, field: str, message: str) -> str:
    """The text stripped, low-high characters; InvalidArgument naming the field with `message` otherwise."""
    text = given.strip()
    if not low <= len(text) <= high:
        raise InvalidArgument(message, fields={field: message})
    return text
