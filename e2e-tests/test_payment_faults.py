"""Payments under faults on the full local stack (PostgreSQL, Kafka, Keycloak), only through the gateway and
the non-tax platform simulator's signed switches: duplicated, late and lost callbacks, a forged callback, an
amount mismatch, a clerk's reduction, two concurrent refunds of one order (one wins, the other 412), a refund
larger than paid — then the orders, payments, refunds and the platform's statement lines counted: nothing
paid twice, nothing lost.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import datetime

import httpx
import pytest

from ywtb.common.calendar import SHANGHAI
from ywtb.common.testing.case_flow import approved_fee_case, fee_order, ok
from ywtb.common.testing.demo import CITIZEN
from ywtb.payment.nontax.http_platform import HttpNonTaxPlatform

pytestmark = pytest.mark.integration  # the full local stack; run once (other stacks run the happy path)


def _platform(order: dict, key: str) -> HttpNonTaxPlatform:  # type: ignore[type-arg]
    """The simulator the order's pay page is on, with the shared key (its test switches are signed)."""
    return HttpNonTaxPlatform(order["pay_url"].split("/pay/")[0], key)


def _refund(
    gateway: httpx.Client, admin: dict[str, str], order_no: str, amount: int, expected: int
) -> httpx.Response:
    body = {"amount_fen": amount, "expected_refundable_fen": expected, "reason": "申请人撤回申请，退还工本费"}
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    return gateway.post(f"/api/v1/payment/orders/{order_no}/refunds", headers=headers, json=body)


def test_nothing_is_paid_twice_or_lost_under_faults(local_gateway, login, platform_secret) -> None:  # type: ignore[no-untyped-def]
    gateway = local_gateway
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.police")
    admin = login(gateway, "jinjiang.policeadmin")
    key = platform_secret(gateway, "nontax-key.key")
    cases = {
        mode: approved_fee_case(gateway, login) for mode in ("duplicate", "late", "lost", "amount", "reduced")
    }
    orders = {
        mode: fee_order(gateway, citizen, case_no, "ORDER_STATUS_NOTIFIED") for mode, case_no in cases.items()
    }
    platform = _platform(orders["duplicate"], key)

    forged = gateway.post(
        "/api/v1/payment/callbacks/nontax",
        json={
            "notice_no": orders["lost"]["notice_no"],
            "order_no": orders["lost"]["order_no"],
            "paid_fen": 1000,
            "paid_at": "2026-12-01T10:00:00+08:00",
            "receipt_no": "FORGED",
            "channel": "wechat",
        },
        headers={
            "X-Nontax-Signature": "f" * 64,
            "X-Nontax-Timestamp": str(int(time.time())),
            "X-Nontax-Nonce": "n" * 16,
        },
    )
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "PAYMENT_CALLBACK_REJECTED")

    reduction = {
        "reason": "依申请减半收取",
        "reductions": [
            {"fee_name": "临时居民身份证工本费", "reduction_fen": 500, "basis": "川财综〔2026〕1号"}
        ],
    }
    reduce_key = {**clerk, "Idempotency-Key": str(uuid.uuid4())}
    path = f"/api/v1/payment/cases/{cases['reduced']}/orders"
    reduced = ok(gateway.post(path, headers=reduce_key, json=reduction), 201)
    assert ok(gateway.post(path, headers=reduce_key, json=reduction))["order_no"] == reduced["order_no"]
    other = {**reduction, "reason": "另一理由"}
    assert gateway.post(path, headers=reduce_key, json=other).status_code == 409
    orders["reduced"] = fee_order(gateway, citizen, cases["reduced"], "ORDER_STATUS_NOTIFIED")
    assert int(orders["reduced"]["total_fen"]) == 500

    try:
        for mode in ("duplicate", "late", "lost"):
            platform.exchange("PUT", "/v1/faults", {"callback_mode": mode, "callback_delay_s": 3})
            platform.exchange("POST", f"/v1/test/pay/{orders[mode]['notice_no']}", {"channel": "wechat"})
        platform.exchange("PUT", "/v1/faults", {"callback_mode": "normal"})
        platform.exchange(
            "POST", f"/v1/test/pay/{orders['amount']['notice_no']}", {"channel": "alipay", "paid_fen": 900}
        )
        platform.exchange("POST", f"/v1/test/pay/{orders['reduced']['notice_no']}", {"channel": "alipay"})
    finally:
        platform.exchange("PUT", "/v1/faults", {"callback_mode": "normal"})

    paid = {
        mode: fee_order(gateway, citizen, cases[mode], "ORDER_STATUS_PAID")
        for mode in ("duplicate", "late", "lost", "reduced")
    }
    assert int(paid["reduced"]["paid_fen"]) == 500
    mismatches = ok(gateway.get("/api/v1/payment/mismatches", headers=admin))
    amount = [m for m in mismatches if m["notice_no"] == orders["amount"]["notice_no"]]
    assert [(m["kind"], int(m["platform_fen"]), int(m["expected_fen"])) for m in amount] == [
        ("amount", 900, 1000)
    ]
    assert ok(gateway.get(f"/api/v1/payment/cases/{cases['amount']}/orders", headers=citizen))[0][
        "status"
    ] == ("ORDER_STATUS_NOTIFIED")  # never paid on a wrong amount

    order_no = paid["duplicate"]["order_no"]
    answers: list[httpx.Response] = []
    racers = [
        threading.Thread(target=lambda: answers.append(_refund(gateway, admin, order_no, 1000, 1000)))
        for _ in range(2)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(a.status_code for a in answers) == [201, 412], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 412)
    assert loser.json()["error"]["code"] == "PAYMENT_REFUNDABLE_CHANGED"
    too_much = _refund(gateway, admin, paid["late"]["order_no"], 1500, 1000)
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (422, "PAYMENT_REFUND_EXCEEDS_PAID")
    partial = ok(_refund(gateway, admin, paid["late"]["order_no"], 400, 1000), 201)
    assert partial["status"] == "REFUND_STATUS_REFUNDED"
    assert _refund(gateway, clerk, paid["lost"]["order_no"], 100, 1000).status_code == 403

    # The counts: each paid order once on the statement with its amount, refunds never beyond payments.
    today = datetime.now(SHANGHAI).date()
    statement = platform.exchange("GET", f"/v1/statements/{today.isoformat()}")
    ours = {o["notice_no"] for o in orders.values()}
    lines = Counter(line["notice_no"] for line in statement["lines"] if line["notice_no"] in ours)
    assert all(count == 1 for count in lines.values()) and len(lines) == 5
    all_orders = [
        o
        for case_no in cases.values()
        for o in ok(gateway.get(f"/api/v1/payment/cases/{case_no}/orders", headers=citizen))
    ]
    paid_orders = [o for o in all_orders if o["status"] == "ORDER_STATUS_PAID"]
    assert len(paid_orders) == 4 and len({o["case_no"] for o in paid_orders}) == 4
    by_notice = {line["notice_no"]: line for line in statement["lines"]}
    for order in paid_orders:
        assert (
            int(by_notice[order["notice_no"]]["paid_fen"])
            == int(order["paid_fen"])
            == int(order["total_fen"])
        )
    assert [o["status"] for o in all_orders if o["case_no"] == cases["reduced"]].count(
        "ORDER_STATUS_CANCELLED"
    ) == 1
    refunded = {
        r["refund_no"]: r
        for o in paid_orders
        for r in o["refunds"]
        if r["status"] == "REFUND_STATUS_REFUNDED"
    }
    assert sorted(int(r["amount_fen"]) for r in refunded.values()) == [400, 1000]
    platform_refunds = [r for r in statement.get("refunds", []) if r["refund_no"] in refunded]
    assert len(platform_refunds) == len(refunded) == 2
    for order in paid_orders:
        assert int(order["refunded_fen"]) + int(order["refundable_fen"]) == int(order["paid_fen"])
