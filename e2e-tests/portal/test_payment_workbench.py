"""The workbench's payment pages in a browser on the embedded platform: the 公安 window clerk reduces the
工本费 of a fresh 临时居民身份证 case (5.00 元 due on a new notice, then fully exempted); the department admin
refunds part of a paid order, is refused a second refund checked against a stale refundable amount (two tabs)
and one above the refundable amount, each told next to the amount with what was typed kept; a payment of the
wrong amount on the platform becomes an amount mismatch that the admin resolves with a reason, and the tenant
admin reconciles a past day."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Locator, Page, expect

from ywtb.common.testing.case_flow import approved_fee_case, fee_order, ok, paid_fee_case
from ywtb.payment.nontax.http_platform import HttpNonTaxPlatform

CLERK = "jinjiang.police"  # 吴户政, window clerk of 锦江公安分局
ADMIN = "jinjiang.policeadmin"  # 郑财务, department admin of 锦江公安分局
TENANT_ADMIN = "jinjiang.admin"  # 金锦江, tenant admin of 锦江区
BASIS = "《临时居民身份证收费减免规定》第三条"


def _notified(gateway: httpx.Client, login, case_no: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The case's order with its payment notice."""
    return fee_order(gateway, login(gateway, CLERK), case_no, "ORDER_STATUS_NOTIFIED")


def _card(page: Page, case_no: str, status: str) -> Locator:
    """The order list's card of the case's order in `status` (its badge's text)."""
    return (
        page.locator("li.wb-order")
        .filter(has_text=case_no)
        .filter(has=page.locator(".wb-task-head .badge", has_text=re.compile(f"^{status}$")))
    )


def _submit(page: Page, card: Locator, button: str) -> int:
    """Click the card's submit button (its confirmation accepted); the status of the page that answered."""
    with page.expect_navigation() as done:
        card.get_by_role("button", name=re.compile(f"^{button}")).click()
    return done.value.status if done.value else 0


def _pay_wrong_amount(key: str, order: dict, paid_fen: int) -> None:  # type: ignore[type-arg]
    """Pay the notice with another amount through the simulator's signed test endpoint."""
    base = order["pay_url"].split("/pay/")[0]
    with HttpNonTaxPlatform(base, key) as platform:
        platform.exchange(
            "POST", f"/v1/test/pay/{order['notice_no']}", {"channel": "alipay", "paid_fen": paid_fen}
        )


def test_the_clerk_reduces_the_fee_then_exempts_it(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot
) -> None:
    case_no = approved_fee_case(embedded_gateway, login)
    first = _notified(embedded_gateway, login, case_no)
    page = workbench.open(embedded_portal, CLERK, f"/workbench/payments?case_no={case_no}")
    expect(page.locator("h1")).to_have_text("缴费订单")
    expect(page.get_by_role("link", name="缴费订单")).to_have_attribute("aria-current", "page")
    assert not page.get_by_role("link", name="对账差异").count()  # reconciliation is the admins'
    card = _card(page, case_no, "待缴费")
    for fact in ("10.00 元", "临时居民身份证工本费", first["notice_no"], "张三"):
        expect(card).to_contain_text(fact)
    assert not card.locator("summary", has_text=re.compile("^退款")).count()  # refunds are the admin's
    screenshot(page, "unpaid")

    # 减免 of 5.001 元: refused next to the amount, what was typed kept
    card.locator("summary", has_text=re.compile("^减免重开")).click()
    card.get_by_label("减免金额（元）").fill("5.001")
    card.get_by_label("减免依据").fill(BASIS)
    card.get_by_label("重新开具原因").fill("申请人为低保对象，依申请减免一半")
    assert _submit(page, card, "重新开具订单") == 422
    card = _card(page, case_no, "待缴费")
    amount = card.get_by_label("减免金额（元）")
    expect(amount).to_have_value("5.001")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".field-message")).to_have_text("金额格式不正确，请填写元数，最多两位小数，如 5.00。")
    expect(card.get_by_label("减免依据")).to_have_value(BASIS)
    screenshot(page, "refused")

    amount.fill("5.00")
    assert _submit(page, card, "重新开具订单") == 200
    expect(page.locator(".flash-success")).to_contain_text(f"已重新开具办件 {case_no} 的缴费订单")
    expect(page.locator(".flash-success")).to_contain_text("应缴 5.00 元")
    expect(_card(page, case_no, "已取消")).to_contain_text(first["order_no"])
    reduced = _card(page, case_no, "待缴费")
    expect(reduced.get_by_role("heading")).to_have_text(f"办件 {case_no} · 5.00 元")
    expect(reduced).to_contain_text(BASIS)
    second = _notified(embedded_gateway, login, case_no)
    assert (second["total_fen"], second["lines"][0]["reduction_fen"]) == ("500", "500")
    assert second["notice_no"] != first["notice_no"]
    expect(reduced).to_contain_text(second["notice_no"])
    notice = httpx.get(second["pay_url"], timeout=10).text
    assert "5.00 元" in notice and "待缴款" in notice  # the platform's new notice asks for 5.00
    screenshot(page, "reduced")

    # 全额减免: nothing left to pay, the order counts as paid
    reduced.locator("summary", has_text=re.compile("^减免重开")).click()
    reduced.get_by_label("减免金额（元）").fill("10")
    reduced.get_by_label("重新开具原因").fill("申请人为特困供养人员，全额减免")
    assert _submit(page, reduced, "重新开具订单") == 200
    expect(page.locator(".flash-success")).to_contain_text(f"办件 {case_no} 已全额减免")
    exempted = _card(page, case_no, "已缴费")
    expect(exempted.get_by_role("heading")).to_have_text(f"办件 {case_no} · 0.00 元")
    expect(exempted).to_contain_text("全额减免")
    expect(page.locator("li.wb-order").filter(has_text=case_no)).to_have_count(3)
    assert not exempted.locator("summary").count()  # nothing to reduce, and the clerk does not refund
    screenshot(page, "exempted")


def test_the_admin_refunds_part_and_is_told_of_a_stale_or_too_large_refund(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot
) -> None:
    case_no, _ = paid_fee_case(embedded_gateway, login)
    path = f"/workbench/payments?case_no={case_no}&status=ORDER_STATUS_PAID"
    page = workbench.open(embedded_portal, ADMIN, path)
    other = page.context.new_page()  # the same page in a second tab, opened before the first refund
    other.on("dialog", lambda dialog: dialog.accept())
    other.goto(embedded_portal + path)
    card = _card(page, case_no, "已缴费")
    for fact in ("微信", "财政电子票据号", "可退金额"):
        expect(card).to_contain_text(fact)

    card.locator("summary", has_text=re.compile("^退款")).click()
    card.get_by_label("退款金额（元）").fill("3.00")
    card.get_by_label("退款原因").fill("证件照片费重复收取，退还 3.00 元")
    form = card.locator("form[action$='/refunds']")
    form_action = form.get_attribute("action") or ""
    sent = form.evaluate("f => Object.fromEntries(new FormData(f))")
    assert _submit(page, card, "申请退款") == 200
    expect(page.locator(".flash-success")).to_contain_text("已申请退款 3.00 元")
    # the same form sent again (a double click, a retry): the same refund, not a second one
    again = page.request.post(embedded_portal + form_action, form=sent, max_redirects=0)
    assert again.status == 303, again.text()
    page.reload()
    expect(page.locator(".flash-success")).to_contain_text("已申请退款 3.00 元")
    card = _card(page, case_no, "已缴费")
    expect(card.locator("table.wb-refunds tbody tr")).to_have_count(1)
    expect(card.locator("table.wb-refunds")).to_contain_text("3.00 元")
    expect(card.locator("dl.facts")).to_contain_text("7.00 元")
    screenshot(page, "refunded")

    # the second tab still says 10.00 元 is refundable: refused, told the fresh amount, the typing kept
    stale = _card(other, case_no, "已缴费")
    stale.locator("summary", has_text=re.compile("^退款")).click()
    stale.get_by_label("退款金额（元）").fill("2.00")
    stale.get_by_label("退款原因").fill("误收，退还 2.00 元")
    assert _submit(other, stale, "申请退款") == 412
    stale = _card(other, case_no, "已缴费")
    amount = stale.get_by_label("退款金额（元）")
    expect(amount).to_have_value("2.00")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(stale.locator(".field-message")).to_contain_text(
        "该订单可退金额已变为 7.00 元（您核对时为 10.00 元）"
    )
    expect(stale.get_by_label("退款原因")).to_have_value("误收，退还 2.00 元")
    expect(other.locator("#form-errors")).to_contain_text("可退金额已变为 7.00 元")
    screenshot(other, "stale")

    # checked against 7.00 元 now; 8.00 元 is more than that
    amount.fill("8.00")
    assert _submit(other, stale, "申请退款") == 422
    stale = _card(other, case_no, "已缴费")
    expect(stale.locator(".field-message")).to_have_text("退款金额不能超过可退金额 7.00 元。")
    expect(stale.get_by_label("退款金额（元）")).to_have_value("8.00")
    screenshot(other, "too-large")

    admin = login(embedded_gateway, ADMIN)
    (order,) = ok(embedded_gateway.get("/api/v1/payment/orders", headers=admin, params={"case_no": case_no}))
    assert [r["amount_fen"] for r in order["refunds"]] == ["300"]  # the refused ones made no refund
    assert order["refundable_fen"] == "700"


def test_a_mismatch_is_resolved_with_a_reason_and_a_day_reconciled(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot, platform_secret
) -> None:
    case_no = approved_fee_case(embedded_gateway, login)
    order = _notified(embedded_gateway, login, case_no)
    _pay_wrong_amount(platform_secret(embedded_gateway, "nontax-key.key"), order, 900)
    admin = login(embedded_gateway, ADMIN)
    deadline = time.monotonic() + 60
    while not [
        m
        for m in ok(
            embedded_gateway.get("/api/v1/payment/mismatches", headers=admin, params={"status": "open"})
        )
        if m["notice_no"] == order["notice_no"]
    ]:
        assert time.monotonic() < deadline, f"no mismatch of {order['notice_no']} within 60 s"
        time.sleep(0.5)

    page = workbench.open(embedded_portal, ADMIN, "/workbench/reconciliation")
    expect(page.locator("h1")).to_have_text("对账差异")
    expect(page.get_by_role("link", name="对账差异")).to_have_attribute("aria-current", "page")
    assert not page.locator("#f-reconcile_day").count()  # a day's statement is the tenant admin's
    card = page.locator("ul.wb-open li.wb-mismatch").filter(has_text=order["notice_no"])
    expect(card.get_by_role("heading")).to_have_text(f"金额不符 · 缴款通知书 {order['notice_no']}")
    for fact in (order["order_no"], "10.00 元", "9.00 元"):
        expect(card).to_contain_text(fact)
    screenshot(page, "open")

    card.locator("summary", has_text=re.compile("^处理")).click()
    card.get_by_label("处理说明").fill("好")
    assert _submit(page, card, "标记为已处理") == 422
    card = page.locator("ul.wb-open li.wb-mismatch").filter(has_text=order["notice_no"])
    reason = card.get_by_label("处理说明")
    expect(card.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    expect(reason).to_have_value("好")
    reason.fill("已核实少缴 1.00 元，缴款人已补缴，另行开具订单")
    assert _submit(page, card, "标记为已处理") == 200
    expect(page.locator(".flash-success")).to_contain_text(
        f"已处理对账差异（金额不符，缴款通知书 {order['notice_no']}）"
    )
    expect(page.locator("ul.wb-open li").filter(has_text=order["notice_no"])).to_have_count(0)
    done = page.locator("ul.wb-resolved li.wb-mismatch").filter(has_text=order["notice_no"])
    expect(done).to_contain_text("已核实少缴 1.00 元")
    expect(done.locator(".badge")).to_have_text("已处理")
    screenshot(page, "resolved")

    tenant = workbench.open(embedded_portal, TENANT_ADMIN, "/workbench/reconciliation")
    expect(tenant.locator("ul.wb-resolved li").filter(has_text=order["notice_no"])).to_have_count(1)
    assert not tenant.get_by_role("link", name="缴费订单").count()
    day = tenant.get_by_label("对账日期")
    yesterday = day.input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", yesterday)
    with tenant.expect_navigation():
        tenant.get_by_role("button", name="对账", exact=True).click()
    expect(tenant.locator(".flash-success")).to_contain_text(f"已完成 {yesterday} 的对账")
    screenshot(tenant, "reconciled")
