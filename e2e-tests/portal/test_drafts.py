"""Nothing typed is lost when the login goes while a form is open, in a browser on the embedded platform:
the citizen logs out in another tab, submits the still-open application, logs in again and finds every
value back (the file to be chosen again); the same for a clerk's 不予受理 reason on the case page.

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_drafts.py -x -q
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ywtb.common.testing.demo import CITIZEN, ID_NUMBER, ITEM, PDF
from ywtb.common.testing.pages import field

CLERK = "jinjiang.clerk"
TYPED = {
    "applicant.contact_mobile": "13800000009",
    "form.operator_name": "张三",
    "form.id_number": ID_NUMBER,
    "form.business_address": "成都市锦江区红星路一段 88 号（草稿）",
    "form.business_scope": "日用百货零售；文具用品零售",
    "form.capital": "8",
    "form.mobile": "13800000009",
    "form.trade_name": "张三杂货铺",
}
RESTORED = "您重新登录前填写的内容已填回表单，请核对后重新提交；尚未上传的文件需要重新选择。"
REASON = "申请人不属于本行政区域，请向户籍所在地登记机关申请"


def log_out_in_another_tab(page: Page, url: str) -> None:
    """Open `url` in a second tab of the same browser (same session) and press 退出 there."""
    other = page.context.new_page()
    other.goto(url)
    with other.expect_navigation():
        other.get_by_role("button", name="退出").click()
    expect(other.get_by_role("button", name="退出")).to_have_count(0)
    other.close()


def test_typed_values_come_back_after_the_login_is_renewed(  # type: ignore[no-untyped-def]
    embedded_portal, new_page, issuer_login, workbench, screenshot
) -> None:
    page = new_page()
    page.goto(embedded_portal + "/search?q=gtgsh")
    page.locator(".cz-results > li").first.get_by_role("link", name=ITEM).click()
    page.get_by_role("link", name="在线申办").first.click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    apply_url = page.url
    key = page.locator("input[name=idempotency_key]").input_value()
    for name, value in TYPED.items():
        field(page, name).fill(value)
    uploads = page.locator("input[type=file][name^='material.']")
    uploads.first.set_input_files({"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})

    log_out_in_another_tab(page, embedded_portal + "/cases")
    page.get_by_role("button", name="提交申请").click()  # the login is gone: to the issuer
    issuer_login(page, CITIZEN)
    page.wait_for_url(apply_url)
    expect(page.locator(".flash-info")).to_contain_text(RESTORED)
    for name, value in TYPED.items():
        expect(field(page, name)).to_have_value(value)
    assert page.locator("input[name=idempotency_key]").input_value() == key
    assert uploads.first.evaluate("input => input.files.length") == 0  # never uploaded: chosen again
    screenshot(page, "apply-restored")

    for n in range(uploads.count()):
        uploads.nth(n).set_input_files(
            {"name": f"材料{n + 1}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    with page.expect_navigation() as submitted:
        page.get_by_role("button", name="提交申请").click()
    assert submitted.value.status == 200
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("#case-status")).to_have_text("已申办，待受理")
    case_no = page.locator("#case-no").inner_text()
    page.goto(apply_url)  # the draft was given back once
    expect(page.locator(".flash-info")).to_have_count(0)
    expect(field(page, "form.trade_name")).to_have_value("")

    # a clerk's reason on the case page (the form posts to .../reject; the login brings them back here)
    clerk = workbench.open(embedded_portal, CLERK, f"/workbench/cases/{case_no}")
    case_url = clerk.url
    clerk.locator("summary", has_text=re.compile("^不予受理$")).click()
    clerk.get_by_label("不予受理理由").fill(REASON)
    log_out_in_another_tab(clerk, case_url)
    clerk.get_by_role("button", name="不予受理", exact=True).click()
    issuer_login(clerk, CLERK)
    clerk.wait_for_url(case_url)
    expect(clerk.locator(".flash-info")).to_contain_text(RESTORED)
    expect(clerk.locator("details.wb-action[open] > summary")).to_have_text("不予受理")
    expect(clerk.get_by_label("不予受理理由")).to_have_value(REASON)
    screenshot(clerk, "reject-restored")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="不予受理", exact=True).click()
    expect(clerk.locator(".flash-success")).to_contain_text(case_no)
    expect(clerk.locator("main")).to_contain_text(REASON)
