"""Money is integer fen (分) everywhere; shown to people as 元 with two decimals."""

from __future__ import annotations

from typing import Any


def yuan(fen: Any) -> str:
    """An amount in fen (an int, or an int64 as JSON text) as 元 with two decimals: 1050 → "10.50"."""
    amount = int(fen or 0)
    whole, cents = divmod(abs(amount), 100)
    return f"{'-' if amount < 0 else ''}{whole}.{cents:02d}"
