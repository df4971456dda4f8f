"""An item's minimum real-name level in a browser: shown on the guide, refused on the form with what to do,
and set by a tenant admin on the item's guide (embedded platform).

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_real_name_pages.py -x -q
"""

from __future__ import annotations

import re

from ywtb.common.testing.demo import CITIZEN, ID_NUMBER
from ywtb.common.testing.pages import field, fill, upload_every_material

FUND_ITEM = "住房公积金提取（租房）"  # SAMPLE DATA: needs real-name level 3; the demo citizen has level 2
FUND_FORM = {
    "form.applicant_name": "张三",
    "form.id_number": ID_NUMBER,
    "form.mobile": "13800000001",
    "form.account_number": "510100123456",
    "form.bank_account": "6222020200000000001",
}


def test_a_level_2_citizen_sees_the_requirement_and_is_told_to_verify_at_a_window(
    embedded_portal, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96")
    page.get_by_role("link", name=FUND_ITEM).first.click()
    page.wait_for_url(re.compile(r"/items/[^/]+$"))
    guide = page.locator("main").inner_text()
    assert "实名认证要求" in guide and "3级：二要素核验" in guide and "窗口核验" in guide
    screenshot(page, "guide")

    page.get_by_role("link", name="在线申办").first.click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    fill(page, FUND_FORM)
    assert upload_every_material(page) == 1
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="提交申请").click()
    assert navigation.value.status == 403
    summary = page.locator("#form-errors").inner_text()
    assert "不低于3级" in summary and "当前为2级" in summary and "政务服务窗口" in summary
    assert field(page, "form.account_number").input_value() == "510100123456"  # nothing typed is lost
    screenshot(page, "refused")


def test_a_tenant_admin_sees_the_requirement_on_the_item(embedded_portal, new_page, issuer_login) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/admin/items?q=%E6%88%B7%E5%8F%A3%E8%BF%81%E7%A7%BB")
    issuer_login(page, "jinjiang.admin")
    page.wait_for_url(re.compile(r"/admin/items"))
    page.get_by_role("link", name="户口迁移（市内迁入）").first.click()
    text = page.locator("main").inner_text()
    assert "网上申办的实名认证等级要求" in text and "3级：二要素核验" in text
