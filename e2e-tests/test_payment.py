"""A fee-charging case paid through the non-tax platform simulator, only through the gateway.

张三 applies online for 临时居民身份证 (工本费 10 元, paid online, charged after approval); the 公安 window
clerk accepts and decides it; the order appears on the case with its payment notice; a forged callback is
refused; the licence waits on the issuing desk (缴费后发证); 张三 pays on the platform's page (微信); the
platform calls back through the gateway and the payment service, having asked the platform, marks the order
paid once with its electronic receipt — and only then is the 临时居民身份证 issued into his wallet.
"""

from __future__ import annotations

import time

import httpx

from ywtb.common.testing.case_flow import approved_fee_case, ok
from ywtb.common.testing.demo import CITIZEN


def _orders(gateway: httpx.Client, headers: dict[str, str], case_no: str, status: str) -> list[dict]:  # type: ignore[type-arg]
    """The case's orders once one has `status`, waited for up to 60 s."""
    deadline = time.monotonic() + 60
    while True:
        found = ok(gateway.get(f"/api/v1/payment/cases/{case_no}/orders", headers=headers))
        if any(order["status"] == status for order in found):
            return found
        assert time.monotonic() < deadline, f"no {status} order of {case_no} within 60 s: {found}"
        time.sleep(0.5)


def test_a_fee_is_paid_once_through_the_platform(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    citizen = login(gateway, CITIZEN)
    case_no = approved_fee_case(gateway, login)

    (order,) = _orders(gateway, citizen, case_no, "ORDER_STATUS_NOTIFIED")
    assert (int(order["total_fen"]), order["payer_name"], order["lines"][0]["name"]) == (
        1000,
        "张三",
        "临时居民身份证工本费",
    )
    assert order["notice_no"] and order["pay_url"].endswith(order["notice_no"])
    mine = ok(gateway.get("/api/v1/payment/orders/mine", headers=citizen))
    assert order["order_no"] in [o["order_no"] for o in mine]  # beside other tests' fee cases
    other_staff = login(gateway, "qingyang.clerk")
    assert gateway.get(f"/api/v1/payment/cases/{case_no}/orders", headers=other_staff).status_code == 404

    claim = {
        "notice_no": order["notice_no"],
        "order_no": order["order_no"],
        "paid_fen": 1000,
        "paid_at": "2026-12-01T10:00:00+08:00",
        "receipt_no": "FORGED-1",
        "channel": "wechat",
    }
    forged = gateway.post(
        "/api/v1/payment/callbacks/nontax", json=claim, headers={"X-Nontax-Signature": "0" * 64}
    )
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "PAYMENT_CALLBACK_REJECTED")
    assert _orders(gateway, citizen, case_no, "ORDER_STATUS_NOTIFIED")[0]["receipt_no"] == ""

    page = httpx.get(order["pay_url"], timeout=10)
    assert page.status_code == 200 and "10.00" in page.text and order["notice_no"] in page.text
    clerk = login(gateway, "jinjiang.police")
    desk = _desk_entry(gateway, clerk, case_no)
    assert desk["status"] == "ISSUANCE_STATUS_AWAITING_PAYMENT", desk
    assert not [
        x
        for x in ok(gateway.get("/api/v1/licence/licences/mine", headers=citizen))
        if x["case_no"] == case_no
    ]
    paid_page = httpx.post(order["pay_url"], data={"channel": "wechat"}, timeout=10)
    assert paid_page.status_code == 200 and "缴款成功" in paid_page.text
    (paid,) = _orders(gateway, citizen, case_no, "ORDER_STATUS_PAID")
    assert (int(paid["paid_fen"]), paid["channel"]) == (1000, "wechat") and paid["receipt_no"] not in (
        "",
        "FORGED-1",
    )
    again = httpx.post(order["pay_url"], data={"channel": "alipay"}, timeout=10)
    assert "已缴款" in again.text  # the platform takes one payment per notice
    assert _orders(gateway, citizen, case_no, "ORDER_STATUS_PAID")[0]["receipt_no"] == paid["receipt_no"]
    (licence,) = _licences(gateway, citizen, case_no)
    assert (licence["type_name"], licence["status"]) == ("临时居民身份证", "LICENCE_STATUS_VALID")


def _desk_entry(gateway: httpx.Client, clerk: dict[str, str], case_no: str) -> dict:  # type: ignore[type-arg]
    """The case's issuance on the issuing desk once it waits for the fees, up to 60 s."""
    deadline = time.monotonic() + 60
    while True:
        found = [
            i for i in ok(gateway.get("/api/v1/licence/issuances", headers=clerk)) if i["case_no"] == case_no
        ]
        if found and found[0]["status"] != "ISSUANCE_STATUS_PENDING":
            return found[0]
        assert time.monotonic() < deadline, f"no issuance of {case_no} waiting within 60 s: {found}"
        time.sleep(0.5)


def _licences(gateway: httpx.Client, citizen: dict[str, str], case_no: str) -> list[dict]:  # type: ignore[type-arg]
    """The case's licences in the holder's wallet once there is one, up to 60 s."""
    deadline = time.monotonic() + 60
    while True:
        found = [
            x
            for x in ok(gateway.get("/api/v1/licence/licences/mine", headers=citizen))
            if x["case_no"] == case_no
        ]
        if found:
            return found
        assert time.monotonic() < deadline, f"no licence of {case_no} within 60 s"
        time.sleep(0.5)
