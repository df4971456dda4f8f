"""The workbench's payment forms: 元 typed by staff as exact fen, the order list's search, each order's input
names, what was typed into them, the request bodies and the gateway's field names on the inputs."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ywtb.common.money import yuan

ORDER_STATUSES = (
    "ORDER_STATUS_CREATED",
    "ORDER_STATUS_NOTIFIED",
    "ORDER_STATUS_PAID",
    "ORDER_STATUS_EXPIRED",
    "ORDER_STATUS_CANCELLED",
)
UNPAID = ("ORDER_STATUS_CREATED", "ORDER_STATUS_NOTIFIED", "ORDER_STATUS_EXPIRED")
NUMBER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a case or order number, as the gateway takes it
YUAN = re.compile(
    r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
)  # at most 9 999 999 999.99 元, below the gateway's 10^12 fen
MAX_OFFSET = 100000
MAX_KEY = 128
Translate = Callable[..., str]


class AmountRefused(ValueError):
    """Text that is no amount of 元; `key` is the message to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def fen_of(text: Any) -> int | None:
    """元 as typed ("5", "5.5", "５．００ 元") in integer fen, exactly; None when blank; AmountRefused otherwise."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip().removesuffix("元").strip()
    if not value:
        return None
    if not YUAN.match(value):
        raise AmountRefused("workbench.payments.amount_format")
    return int(Decimal(value) * 100)


@dataclass(frozen=True)
class Search:
    """What the order list shows: a status, a whole case number, the page's offset."""

    status: str = ""
    case_no: str = ""
    offset: int = 0

    @classmethod
    def of(cls, status: Any = "", case_no: Any = "", offset: Any = 0) -> Search:
        """A search from the query or a form's hidden fields, whatever was sent."""
        number, text = str(case_no or "").strip(), str(offset or "0")
        return cls(
            status=str(status) if status in ORDER_STATUSES else "",
            case_no=number if NUMBER.match(number) else "",
            offset=min(int(text), MAX_OFFSET) if text.isdigit() else 0,
        )

    def url(self) -> str:
        """The order list's address showing this search."""
        query = urlencode({k: v for k, v in asdict(self).items() if v})
        return "/workbench/payments" + (f"?{query}" if query else "")


def input_name(kind: str, order_no: str, index: int | None = None) -> str:
    """The name an order's input is shown and re-filled under (and its messages keyed by): "refund_amount-<order>"."""
    return f"{kind}-{order_no}" + ("" if index is None else f"-{index}")


def idempotency_key(form: dict[str, Any]) -> str:
    """The form's idempotency key (made when the page was shown); a new one when it is missing or too long."""
    key = str(form.get("idempotency_key") or "").strip()
    return key if 0 < len(key) <= MAX_KEY else uuid.uuid4().hex


def typed_values(form: dict[str, Any], order_no: str, action: str) -> dict[str, str]:
    """What was typed into an order's "reduce", "refund" or "late" form, under its inputs' names."""
    text = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if action == "reduce":
        typed = {input_name("reduce_reason", order_no): text.get("reason", "")}
        for name, value in text.items():
            kind, _, index = name.partition(".")
            if kind in ("reduction", "basis") and index.isdigit():
                typed[input_name(kind, order_no, int(index))] = value
        return typed
    if action == "refund":
        return {
            input_name("refund_amount", order_no): text.get("amount", ""),
            input_name("refund_reason", order_no): text.get("reason", ""),
        }
    return {input_name("late_reason", order_no): text.get("reason", "")}


def reduction_body(
    form: dict[str, Any], order: dict[str, Any], t: Translate
) -> tuple[dict[str, Any], dict[str, str], list[int]]:
    """(CreateOrder body, messages by input, the order line of each reduction sent) of a posted 减免重开."""
    order_no = order["order_no"]
    reductions, errors, sent = [], {}, []
    for index, line in enumerate(order.get("lines") or []):
        amount_name, basis_name = (
            input_name("reduction", order_no, index),
            input_name("basis", order_no, index),
        )
        try:
            fen = fen_of(form.get(f"reduction.{index}"))
        except AmountRefused as refused:
            errors[amount_name] = t(refused.key)
            continue
        if not fen:
            continue
        owed = int(line.get("amount_fen") or 0) * int(line.get("quantity") or 1)
        basis = str(form.get(f"basis.{index}") or "").strip()
        if fen > owed:
            errors[amount_name] = t("workbench.payments.reduction_too_large", amount=yuan(owed))
        if not 2 <= len(basis) <= 200:
            errors[basis_name] = t("workbench.payments.basis_required")
        reductions.append({"fee_name": line["name"], "reduction_fen": fen, "basis": basis})
        sent.append(index)
    body = {"reason": str(form.get("reason") or "").strip(), "reductions": reductions}
    return body, errors, sent


def refund_body(form: dict[str, Any], order_no: str, t: Translate) -> tuple[dict[str, Any], dict[str, str]]:
    """(RequestRefund body, messages by input) of a posted 退款; fen as JSON numbers."""
    amount_name = input_name("refund_amount", order_no)
    errors: dict[str, str] = {}
    try:
        fen = fen_of(form.get("amount"))
    except AmountRefused as refused:
        fen, errors[amount_name] = None, t(refused.key)
    else:
        if fen is None:
            errors[amount_name] = t("workbench.payments.refund_required")
        elif fen == 0:
            errors[amount_name] = t("workbench.payments.refund_positive")
    expected = str(form.get("expected_refundable_fen") or "")
    body = {
        "amount_fen": fen or 0,
        "expected_refundable_fen": int(expected) if expected.isdigit() else 0,
        "reason": str(form.get("reason") or "").strip(),
    }
    return body, errors


def reduction_renamer(order_no: str, sent: list[int]) -> Callable[[str], str]:
    """The gateway's field names of a CreateOrder ("reductions[0].basis", "reason") → the order's inputs."""

    def rename(name: str) -> str:
        found = re.match(r"^reductions\[(\d+)\](?:\.(\w+))?$", name)
        if found and int(found.group(1)) < len(sent):
            kind = "basis" if found.group(2) == "basis" else "reduction"
            return input_name(kind, order_no, sent[int(found.group(1))])
        return input_name("reduce_reason", order_no)

    return rename


def refund_renamer(order_no: str) -> Callable[[str], str]:
    """The gateway's field names of a RequestRefund → the order's refund inputs (the amounts on the amount)."""
    return lambda name: input_name("refund_reason" if name == "reason" else "refund_amount", order_no)
