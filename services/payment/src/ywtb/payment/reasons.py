"""The reason every recorded payment decision carries (resolution, refund, reduction, late payment)."""

from __future__ import annotations

from ywtb.common.errors import InvalidArgument


def reason_of(given: str, message: str, field: str = "reason") -> str:
    """The reason stripped, 2-200 characters; InvalidArgument carrying `message` otherwise."""
    reason = given.strip()
    if not 2 <= len(reason) <= 200:
        raise InvalidArgument(message, code="PAYMENT_REASON_INVALID", fields={field: message})
    return reason
