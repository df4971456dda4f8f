"""The whole service in a real browser, once on `make run` and once on the full stack with Keycloak login:
a citizen finds an item by search, reads the guide, logs in and applies with uploads; a clerk accepts; an
approver approves; the clerk completes; the citizen sees the case completed and approved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ywtb.common.testing.demo import CITIZEN, ITEM, ITEM_QUERY
from ywtb.common.testing.demo import FORM_FIELDS as FORM
from ywtb.common.testing.pages import fill, upload_every_material


@pytest.fixture(params=["embedded", pytest.param("local", marks=pytest.mark.integration)])
def platform(request):  # type: ignore[no-untyped-def]
    """(gateway client, portal URL) of `make run` (built-in issuer) or `make up` (Keycloak)."""
    gateway = request.getfixturevalue(f"{request.param}_gateway")
    portal = request.getfixturevalue(f"{request.param}_portal")
    return request.param, gateway, portal


def _citizen_applies(page: Page, portal: str, issuer_login, screenshot) -> str:  # type: ignore[no-untyped-def]
    """Search → guide → login → application with every material uploaded; the case number."""
    page.goto(portal + "/")
    page.get_by_role("searchbox").first.fill(ITEM_QUERY)
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=gtgsh"))
    page.locator(".cz-results > li").first.get_by_role("link", name=ITEM).click()
    page.wait_for_url(re.compile(r"/items/[^/]+$"))
    expect(page.locator("h1")).to_have_text(ITEM)
    expect(page.locator("main")).to_contain_text("承诺办结时限")
    expect(page.locator("table.cz-materials")).to_contain_text("经营场所使用证明")
    screenshot(page, "guide")

    page.get_by_role("link", name="在线申办").first.click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    fill(page, FORM)
    upload_every_material(page)
    screenshot(page, "form")
    with page.expect_navigation() as submitted:
        page.get_by_role("button", name="提交申请").click()
    assert submitted.value.status == 200
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("#case-status")).to_have_text("已申办，待受理")
    case_no = page.locator("#case-no").inner_text()
    screenshot(page, "submitted")
    return case_no


def test_citizen_applies_clerk_accepts_approver_approves_citizen_sees_it_done(  # type: ignore[no-untyped-def]
    platform, new_page, issuer_login, workbench, platform_log, screenshot
) -> None:
    stack, gateway, portal = platform
    printed = platform_log(gateway)
    for line in (
        f"portal       {portal}/",
        f"workbench    {portal}/workbench/",
        f"admin        {portal}/admin/",
    ):
        assert line in printed, line
    assert "13800000001" in printed and "jinjiang.clerk" in printed and "Demo2026ywtb" in printed

    citizen = new_page()
    case_no = _citizen_applies(
        citizen, portal, issuer_login, lambda page, step: screenshot(page, f"{stack}-{step}")
    )

    clerk = workbench.open(portal, "jinjiang.clerk", f"/workbench/cases/{case_no}")
    expect(clerk.locator("details.wb-action[open] > summary")).to_have_text("受理")  # the default action
    clerk.get_by_label("受理意见").fill("材料齐全，予以受理")
    clerk.get_by_role("button", name="受理", exact=True).click()
    expect(clerk.locator(".flash-success")).to_contain_text(f"办件 {case_no} 已受理")
    assert workbench.complete(clerk, workbench.task(clerk, case_no, "受理"), "已受理，转审查").status == 200
    screenshot(clerk, f"{stack}-clerk-accepted")

    approver = workbench.open(portal, "jinjiang.approver", f"/workbench/cases/{case_no}")
    assert (
        workbench.complete(approver, workbench.task(approver, case_no, "审查"), "材料真实有效").status == 200
    )
    decided = workbench.complete(approver, workbench.task(approver, case_no, "决定"), "准予设立", "准予许可")
    assert decided.status == 200
    screenshot(approver, f"{stack}-approver-decided")

    clerk.reload()
    assert workbench.complete(clerk, workbench.task(clerk, case_no, "办结"), "送达营业执照").status == 200

    citizen.reload()
    expect(citizen.locator("#case-status")).to_have_text("已办结（准予许可）")
    expect(citizen.locator("main")).to_contain_text("准予许可")
    citizen.get_by_role("link", name="我的办件").first.click()
    expect(citizen.locator("tr", has=citizen.get_by_role("link", name=case_no))).to_contain_text("已办结")
    screenshot(citizen, f"{stack}-citizen-completed")
