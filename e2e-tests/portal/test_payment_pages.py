"""Paying a fee in a browser on the embedded platform: the decided 临时居民身份证 case shows its 工本费 with the
platform's notice and a 去缴费 link; the platform simulator's page takes the payment (微信); the case page and
我的缴费 then show it paid with its electronic receipt."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from ywtb.common.testing.case_flow import approved_fee_case, paid_fee_case
from ywtb.common.testing.demo import CITIZEN


def _case_page_with(page, portal: str, case_no: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """The case page, reloaded until its 缴费 section says `text` (the services work in the background)."""
    page.goto(f"{portal}/cases/{case_no}")
    deadline = time.monotonic() + 60
    while text not in (page.locator("#fees").inner_text() if page.locator("#fees").count() else ""):
        assert time.monotonic() < deadline, f"the case page of {case_no} never said {text!r}"
        time.sleep(1)
        page.reload()


def test_the_citizen_pays_the_fee_of_a_case_on_the_platform(
    embedded_gateway, embedded_portal, login, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    case_no = approved_fee_case(embedded_gateway, login)
    page = new_page()
    page.goto(f"{embedded_portal}/cases/{case_no}")
    issuer_login(page, CITIZEN)
    _case_page_with(page, embedded_portal, case_no, "待缴费")
    fees = page.locator("#fees")
    for fact in ("10.00 元", "临时居民身份证工本费", "缴款通知书编号"):
        expect(fees).to_contain_text(fact)
    expect(page.locator(".cz-timeline")).to_contain_text("待缴费 10.00 元")
    screenshot(page, "fee-due")

    with page.expect_navigation():
        fees.get_by_role("link", name="去缴费").click()
    expect(page.locator("body")).to_contain_text("10.00")
    with page.expect_navigation():
        page.get_by_role("button", name="微信").click()
    expect(page.locator("body")).to_contain_text("缴款成功")
    screenshot(page, "platform-paid")

    _case_page_with(page, embedded_portal, case_no, "已缴费")
    expect(page.locator("#fees")).to_contain_text("财政电子票据号")
    expect(page.locator("#fees")).to_contain_text("微信")
    expect(page.get_by_role("link", name="去缴费")).to_have_count(0)
    page.goto(f"{embedded_portal}/payments")
    assert page.locator("h1").inner_text() == "我的缴费"
    order = page.locator("li.cz-order").filter(has=page.locator(f'a[href="/cases/{case_no}"]'))
    expect(order).to_contain_text("已缴费")
    screenshot(page, "payments")


def test_the_citizen_sees_a_refund_of_the_fee_on_the_case_page(
    embedded_gateway, embedded_portal, login, new_page, issuer_login
) -> None:  # type: ignore[no-untyped-def]
    case_no, order = paid_fee_case(embedded_gateway, login)
    body = {"amount_fen": 500, "expected_refundable_fen": 1000, "reason": "多收工本费，退还 5 元"}
    headers = {**login(embedded_gateway, "jinjiang.policeadmin"), "Idempotency-Key": f"refund-{case_no}"}
    refund = embedded_gateway.post(
        f"/api/v1/payment/orders/{order['order_no']}/refunds", headers=headers, json=body
    )
    assert refund.status_code == 201, refund.text
    page = new_page()
    page.goto(f"{embedded_portal}/cases/{case_no}")
    issuer_login(page, CITIZEN)
    _case_page_with(page, embedded_portal, case_no, "已退款")
    for fact in ("5.00 元", "多收工本费，退还 5 元", "已缴费"):
        expect(page.locator("#fees")).to_contain_text(fact)
