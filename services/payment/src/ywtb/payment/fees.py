"""An order's lines from the item's fees (收费项目): each charged fee at its standard amount, in fen."""

from __future__ import annotations

from typing import Any

from ywtb.api.catalog.v1 import catalog_pb2


def fee_lines(guide: catalog_pb2.Guide) -> list[dict[str, Any]]:
    """One line per charged fee with an amount: name, standard, basis, amount and quantity, no reduction yet."""
    return [
        {
            "name": fee.name,
            "standard": fee.standard,
            "basis": fee.basis,
            "amount_fen": fee.amount_fen,
            "quantity": 1,
            "reduction_fen": 0,
            "reduction_basis": "",
        }
        for fee in guide.fees
        if fee.charged and fee.amount_fen > 0
    ]


def line_fen(line: dict[str, Any]) -> int:
    """What one fee comes to: its amount times its quantity, less its reduction."""
    return int(line["amount_fen"] * line["quantity"] - line["reduction_fen"])


def total_fen(lines: list[dict[str, Any]]) -> int:
    """What the payer owes: the sum of its fees' amounts."""
    return sum(line_fen(line) for line in lines)


def charged_now(guide: catalog_pb2.Guide, approved: bool) -> bool:
    """Whether the item's charging point is reached: after acceptance, or after approval once approved."""
    return guide.charge_point == catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE or approved
