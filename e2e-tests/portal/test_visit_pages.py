"""一次一评 in a browser on the embedded platform: the window clerk records a visit on 窗口评价 and sees its QR code
(decoded: the rating page at the portal's address); the window's tablet rates it anonymously 非常满意 with the
three sub-indicators and goes back to its waiting screen; the visitor's phone, which had the page open, is
refused a second rating and offered the one follow-up; 张三, signed in, rates another visit by its QR code in
his name; the department admin and the tenant admin see the clerk among the staff figures; an unknown code
says what to do. Each new page passes axe-core's WCAG 2.x A/AA rules (at 375 px too).

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_visit_pages.py -x -q
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from ywtb.common.testing.case_flow import ok
from ywtb.common.testing.demo import CITIZEN, ITEM

EVALUATION = "/api/v1/evaluation"
PHONE = {"width": 375, "height": 812}


def _submit(page: Page, scope: Page | Locator, button: str) -> int:
    """Click the scope's submit button; the status of the page that answered (after a redirect, 200)."""
    with page.expect_navigation() as done:
        scope.get_by_role("button", name=re.compile(f"^{button}")).click()
    return done.value.status if done.value else 0


def _decoded(qr: Locator) -> list[str]:
    """The texts of the QR codes in the element's screenshot."""
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    return [r.text for r in zxingcpp.read_barcodes(image.open(io.BytesIO(qr.screenshot())))]


def _open_visit(gateway: Any, login: Any, window: str) -> str:
    """A visit the window clerk records through the API; its token."""
    clerk = login(gateway, "jinjiang.clerk")
    return str(ok(gateway.post(f"{EVALUATION}/visits", headers=clerk, json={"window": window}), 201)["token"])


def test_a_visit_is_rated_on_the_tablet_then_followed_up_once_by_qr(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, workbench, screenshot, audit
) -> None:
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/visits")
    expect(clerk.locator("h1")).to_have_text("窗口评价")
    expect(clerk.get_by_role("link", name="窗口评价")).to_have_attribute("aria-current", "page")
    audit(clerk, "窗口评价")
    assert _submit(clerk, clerk.locator("main form"), "生成评价码") == 422  # no window
    expect(clerk.locator("#e-window")).to_have_text("请填写窗口名称或编号（1 至 40 字）。")
    audit(clerk, "窗口评价 refused")

    clerk.get_by_label("窗口名称或编号").fill("3号综合窗口")
    clerk.get_by_label("办理事项（可选）").select_option(label=ITEM)
    assert _submit(clerk, clerk.locator("main form"), "生成评价码") == 200
    code = clerk.locator("section.wb-visit-code")
    expect(code).to_contain_text("已登记3号综合窗口的窗口服务")
    expect(code.locator("figure.wb-qr svg")).to_be_visible()
    tablet_href = code.get_by_role("link", name=re.compile("^在窗口评价器打开")).get_attribute("href") or ""
    token = re.fullmatch(r"/rate/visit/([A-Za-z0-9_-]+)\?tablet=1", tablet_href)
    assert token, tablet_href
    qr_url = f"{embedded_portal}/rate/visit/{token.group(1)}"
    assert _decoded(code.locator("figure.wb-qr svg")) == [qr_url]
    screenshot(clerk, "code")
    audit(clerk, "窗口评价 with its code")

    phone = new_page(**PHONE)  # the visitor scans the code at once
    phone.goto(qr_url)
    expect(phone.locator("h1")).to_have_text("窗口服务评价")
    expect(phone.locator("main")).to_contain_text("未登录评价时不记录您的账号")
    audit(phone, "rating page by QR, anonymous")

    tablet = new_page()
    tablet.goto(embedded_portal + tablet_href)
    expect(tablet.locator("nav.main-nav")).to_have_count(0)
    expect(tablet.get_by_role("link", name="登录")).to_have_count(0)
    for fact in ("3号综合窗口", "李受理", ITEM, "市场监"):
        expect(tablet.locator(".cz-visit-facts")).to_contain_text(fact)
    audit(tablet, "rating page on the tablet")
    tablet.get_by_label("非常满意", exact=True).check()
    assert tablet.locator("label.cz-level").first.bounding_box()["height"] >= 44  # type: ignore[index]
    for indicator in ("办事效率", "服务水平", "服务态度"):
        tablet.get_by_label(indicator).select_option(label="非常满意")
    screenshot(tablet, "tablet")
    assert _submit(tablet, tablet, "提交评价") == 200
    assert tablet.url == f"{embedded_portal}/rate/tablet"
    expect(tablet.locator(".flash-success")).to_have_text("感谢您的评价！")
    expect(tablet.locator("h1")).to_have_text("窗口评价器")
    expect(tablet.locator("main")).to_contain_text("等待下一位办事人")
    screenshot(tablet, "waiting")
    audit(tablet, "tablet waiting screen")

    # the phone still shows the form: its rating is refused, the one follow-up offered
    phone.get_by_label("满意", exact=True).check()
    assert _submit(phone, phone.locator("main form"), "提交评价") == 409
    expect(phone.locator("main .flash-info")).to_have_text("本次窗口服务已评价。如需补充，可追评一次。")
    expect(phone.get_by_role("heading", name="追评")).to_be_visible()
    expect(phone.get_by_label("办事效率")).to_have_count(0)
    audit(phone, "rating page: rated, the follow-up offered")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_label("评价内容（可选）").fill("窗口人员讲解耐心")
    assert _submit(phone, phone.locator("main form"), "提交追评") == 200
    expect(phone.locator(".flash-success")).to_have_text("已提交追评，感谢您的反馈。")
    audit(phone, "thanks page")
    phone.goto(qr_url)  # once: nothing more to rate
    assert _submit(phone, phone.locator("main form"), "提交追评") == 422  # no level chosen
    phone.get_by_label("满意", exact=True).check()
    assert _submit(phone, phone.locator("main form"), "提交追评") == 409
    expect(phone.locator("main")).to_contain_text("本次窗口服务已追评，不能再次评价。")

    clerk.goto(embedded_portal + "/workbench/visits")
    row = clerk.locator("table.wb-visits tbody tr").filter(has_text="3号综合窗口").first
    expect(row).to_contain_text("已评价")
    assert token.group(1) not in clerk.content()  # the code is shown once only
    admin = login(embedded_gateway, "jinjiang.deptadmin")
    rated = [r for r in ok(embedded_gateway.get(f"{EVALUATION}/ratings", headers=admin)) if r.get("visit_id")]
    first = next(r for r in rated if r["channel"] == 4)
    assert (first["level"], first["real_name"], first["stage"]) == (5, False, "STAGE_VISIT")
    assert first["indicators"] == {"efficiency": 5, "service_level": 5, "attitude": 5}
    assert any(r["follow_up"] and r["channel"] == 3 and r["visit_id"] == first["visit_id"] for r in rated)
    audit.done()


def test_a_signed_in_citizen_rates_a_visit_by_qr_in_his_name(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, workbench, screenshot, audit
) -> None:
    token = _open_visit(embedded_gateway, login, "5号窗口")
    page = new_page(**PHONE)
    page.goto(f"{embedded_portal}/rate/visit/{token}")
    page.get_by_role("link", name="登录").click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(f"/rate/visit/{token}$"))
    expect(page.locator("#h-identity")).to_contain_text("您已登录（张三），本次评价为实名评价")
    audit(page, "rating page by QR, signed in")
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("服务态度").select_option(label="不满意")
    page.get_by_label("评价内容（可选）").fill("等候时间长，无人引导")
    assert _submit(page, page.locator("main form"), "提交评价") == 200
    expect(page.locator(".flash-success")).to_contain_text("服务部门将回访您并整改")
    page.get_by_role("link", name="查看我的评价").click()
    expect(page.locator("#my-ratings")).to_contain_text("等候时间长，无人引导")
    expect(page.locator("#my-ratings")).to_contain_text("窗口服务")
    screenshot(page, "my-ratings")

    admin = login(embedded_gateway, "jinjiang.deptadmin")
    mine = next(
        r
        for r in ok(embedded_gateway.get(f"{EVALUATION}/ratings", headers=admin))
        if r.get("comment") == "等候时间长，无人引导"
    )
    assert (mine["real_name"], mine["rater_name"], mine["channel"], mine["level"]) == (True, "张三", 3, 2)

    page.goto(f"{embedded_portal}/rate/visit/NoSuchCode0000000000000000000000")
    expect(page.locator("h1")).to_have_text("未找到该评价码")
    expect(page.locator("main")).to_contain_text("12345")
    expect(page.get_by_role("link", name="提交投诉")).to_have_attribute("href", "/inquiries?kind=complaint")
    audit(page, "unknown code")
    audit.done()


def test_the_admins_see_the_clerk_among_the_staff_figures(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot, audit
) -> None:
    token = _open_visit(embedded_gateway, login, "7号窗口")
    body = {"level": 4, "indicators": {"attitude": 4}, "channel": 4}
    ok(embedded_gateway.post(f"{EVALUATION}/visits/{token}/ratings", json=body), 201)

    dept_admin = workbench.open(embedded_portal, "jinjiang.deptadmin", "/workbench/ratings")
    table = dept_admin.locator("table.staff-figures-table")
    expect(table.locator("caption")).to_have_text("各工作人员近 30 日的好差评指标")
    expect(table.get_by_role("rowheader", name="李受理")).to_be_visible()
    expect(dept_admin.locator("li.wb-rating").filter(has_text="窗口服务 · 满意").first).to_be_visible()
    screenshot(dept_admin, "staff-figures")
    audit(dept_admin, "评价与差评整改 with the staff figures")

    tenant_admin = workbench.open(embedded_portal, "jinjiang.admin", "/admin/evaluation")
    row = tenant_admin.locator("table.staff-figures-table tbody tr").filter(
        has=tenant_admin.get_by_role("rowheader", name="李受理")
    )
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).not_to_have_text("0")  # ratings of the clerk's visits
    audit(tenant_admin, "好差评设置 with the staff figures")
    audit.done()
