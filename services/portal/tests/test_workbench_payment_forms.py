"""The workbench payment forms: 元 typed as exact fen, the order list's search, what was typed kept under each
order's inputs, the request bodies and the gateway's field names on the inputs."""

from __future__ import annotations

from typing import Any

import pytest

from ywtb.portal.i18n import translate
from ywtb.portal.routes.workbench_payment_forms import (
    AmountRefused,
    Search,
    fen_of,
    idempotency_key,
    reduction_body,
    reduction_renamer,
    refund_body,
    refund_renamer,
    typed_values,
)

ORDER = {
    "order_no": "PO20261201000000000001",
    "lines": [
        {"name": "工本费", "amount_fen": "1000", "quantity": 1},
        {"name": "邮寄费", "amount_fen": "500", "quantity": 2},
    ],
}
NO = ORDER["order_no"]


def t(key: str, **values: Any) -> str:
    return translate("zh", key, **values)


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("5", 500),
        ("5.5", 550),
        ("5.00", 500),
        (" 0.01 ", 1),
        ("0", 0),
        ("10.10元", 1010),
        ("５．００", 500),  # full-width, as a Chinese input method types it
        ("9999999999.99", 999999999999),
        ("0.29", 29),  # exact: float(0.29) * 100 is 28.999...
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_yuan_typed_becomes_exact_fen(typed: str | None, fen: int | None) -> None:
    assert fen_of(typed) == fen


@pytest.mark.parametrize(
    "typed", ["5.001", "-1", "1,000", "1e3", "五元", ".5", "5.", "10000000000", "NaN", "1 0"]
)
def test_anything_else_is_refused_with_a_message(typed: str) -> None:
    with pytest.raises(AmountRefused) as refused:
        fen_of(typed)
    assert t(refused.value.key) == "金额格式不正确，请填写元数，最多两位小数，如 5.00。"


def test_a_search_is_kept_only_as_far_as_it_is_valid() -> None:
    assert Search.of("ORDER_STATUS_PAID", " 510104-1 ", "50") == Search("ORDER_STATUS_PAID", "510104-1", 50)
    assert Search.of("DROP", "a/b", "-1") == Search()
    assert Search.of(None, None, "999999").offset == 100000
    assert Search().url() == "/workbench/payments"
    assert Search("ORDER_STATUS_PAID", "510104-1").url() == (
        "/workbench/payments?status=ORDER_STATUS_PAID&case_no=510104-1"
    )


def test_a_reduction_is_sent_in_fen_per_reduced_line() -> None:
    form = {"reduction.0": "", "reduction.1": "5.00", "basis.1": " 减免文件第五条 ", "reason": " 依申请减免 "}
    body, errors, sent = reduction_body(form, ORDER, t)
    assert errors == {}
    assert body == {
        "reason": "依申请减免",
        "reductions": [{"fee_name": "邮寄费", "reduction_fen": 500, "basis": "减免文件第五条"}],
    }
    assert sent == [1]
    none, _, _ = reduction_body({"reason": "重新开具"}, ORDER, t)
    assert none["reductions"] == []  # a re-issue at the standard amounts


def test_a_wrong_reduction_is_refused_next_to_its_line() -> None:
    form = {"reduction.0": "10.01", "basis.0": "", "reduction.1": "abc", "reason": "x"}
    _, errors, _ = reduction_body(form, ORDER, t)
    assert errors == {
        f"reduction-{NO}-0": "减免金额不能超过该项应缴的 10.00 元。",
        f"basis-{NO}-0": "请填写减免依据（2 至 200 字），例如文件名称和文号。",
        f"reduction-{NO}-1": "金额格式不正确，请填写元数，最多两位小数，如 5.00。",
    }
    whole, errors, _ = reduction_body({"reduction.1": "10", "basis.1": "全额减免依据"}, ORDER, t)
    assert errors == {} and whole["reductions"][0]["reduction_fen"] == 1000  # 500 fen × 2


def test_a_refund_is_sent_in_fen_against_the_amount_seen() -> None:
    form = {"amount": "3.50", "expected_refundable_fen": "1000", "reason": " 重复缴费 "}
    assert refund_body(form, NO, t) == (
        {"amount_fen": 350, "expected_refundable_fen": 1000, "reason": "重复缴费"},
        {},
    )
    for typed, message in (
        ("", "请填写退款金额。"),
        ("0.00", "退款金额须大于零。"),
        ("3.555", "金额格式不正确"),
    ):
        _, errors = refund_body({"amount": typed, "expected_refundable_fen": "x"}, NO, t)
        assert errors[f"refund_amount-{NO}"].startswith(message)


def test_what_was_typed_lands_on_the_orders_inputs() -> None:
    form = {
        "reduction.0": "1",
        "basis.0": "依据",
        "reason": "原因",
        "order_no": NO,
        "csrf": "c",
        "reduction.x": "9",
    }
    assert typed_values(form, NO, "reduce") == {
        f"reduce_reason-{NO}": "原因",
        f"reduction-{NO}-0": "1",
        f"basis-{NO}-0": "依据",
    }
    assert typed_values({"amount": "9.99", "reason": "r"}, NO, "refund") == {
        f"refund_amount-{NO}": "9.99",
        f"refund_reason-{NO}": "r",
    }
    assert typed_values({"reason": "r"}, NO, "late") == {f"late_reason-{NO}": "r"}


def test_the_gateways_field_names_land_on_the_orders_inputs() -> None:
    rename = reduction_renamer(NO, [1])  # the one reduction sent was of line 1
    assert rename("reductions[0].basis") == f"basis-{NO}-1"
    assert rename("reductions[0].reduction_fen") == f"reduction-{NO}-1"
    assert rename("reductions[0]") == f"reduction-{NO}-1"
    assert rename("reason") == rename("reductions[5]") == f"reduce_reason-{NO}"
    refund = refund_renamer(NO)
    assert refund("amount_fen") == refund("expected_refundable_fen") == f"refund_amount-{NO}"
    assert refund("reason") == f"refund_reason-{NO}"


def test_an_idempotency_key_comes_from_the_form_or_is_made() -> None:
    assert idempotency_key({"idempotency_key": " k-1 "}) == "k-1"
    made = idempotency_key({"idempotency_key": "x" * 200})
    assert len(made) == 32 and made != idempotency_key({})
