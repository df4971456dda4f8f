"""发证台账 in a browser on the embedded platform: the market regulator's approver finds 张三's 营业执照 by its
number, issues a 变更 (a new version with a changed field; the old one shows 已换发), is told in Chinese what is
wrong with a one-character reason (what was typed kept) and revokes the new version (已注销); the holder
downloads the licence's W3C Verifiable Credential from the wallet, and anyone verifies it."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from ywtb.common.testing.case_flow import ok, run_case_to_completion
from ywtb.common.testing.demo import CITIZEN, FORM

APPROVER = "jinjiang.approver"  # 王审批, approver of 成都市锦江区市场监督管理局 (the 营业执照's issuer)
SCOPE = "日用百货零售、文具销售"
REASON = "登记的经营范围有误，经营者申请注销后重新办理"


def _licence(gateway, login, case_no: str) -> dict:  # type: ignore[no-untyped-def]
    """The case's licence as its holder sees it, once the licence service has issued it."""
    citizen = login(gateway, CITIZEN)
    deadline = time.monotonic() + 60
    while True:
        mine = ok(gateway.get("/api/v1/licence/licences/mine", headers=citizen))
        found = [x for x in mine if x["case_no"] == case_no]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no licence for {case_no} within 60 s"
        time.sleep(1)


def _card(page, licence_no: str, version: int):  # type: ignore[no-untyped-def]
    """The register's card of one version of the licence."""
    heading = page.get_by_role("heading", name=re.compile(f"{licence_no} · 第 {version} 版$"))
    return page.locator("li.wb-licence").filter(has=heading)


def test_the_approver_changes_then_revokes_a_licence_in_the_register(  # type: ignore[no-untyped-def]
    embedded_gateway, login, workbench, embedded_portal, screenshot
) -> None:
    case_no = run_case_to_completion(embedded_gateway, login)
    licence = _licence(embedded_gateway, login, case_no)
    number = licence["licence_no"]
    page = workbench.open(embedded_portal, APPROVER, "/workbench/licences")
    expect(page.locator("h1")).to_have_text("发证台账")
    expect(page.get_by_role("link", name="发证台账")).to_have_attribute("aria-current", "page")

    page.get_by_label("证照编号、持证主体或办件编号").fill(number)
    with page.expect_navigation():
        page.get_by_role("button", name="查找", exact=True).click()
    assert page.locator("li.wb-licence").count() == 1
    first = _card(page, number, 1)
    expect(first.locator(".badge")).to_have_text("有效")
    for fact in ("营业执照", "张三", FORM["business_scope"], case_no, "长期"):
        expect(first).to_contain_text(fact)
    screenshot(page, "found")

    # 变更: the form holds the current values; one field changed issues version 2
    first.locator("summary", has_text=re.compile("^变更/延续")).click()
    first.get_by_label("变更", exact=True).check()
    scope = first.get_by_label("经营范围")
    expect(scope).to_have_value(FORM["business_scope"])
    scope.fill(SCOPE)
    with page.expect_navigation():
        first.get_by_role("button", name=re.compile("^签发新版本")).click()
    expect(page.locator(".flash-success")).to_contain_text(
        f"已变更营业执照（证照编号 {number}），新版本为第 2 版"
    )
    cards = page.locator("li.wb-licence")
    expect(cards).to_have_count(2)
    expect(cards.first.get_by_role("heading")).to_have_text(re.compile("第 2 版$"))  # newest first
    second, first = _card(page, number, 2), _card(page, number, 1)
    expect(second.locator(".badge")).to_have_text("有效")
    expect(second).to_contain_text(SCOPE)
    expect(first.locator(".badge")).to_have_text("已换发")
    assert not first.locator("form").count() and "请对最新版本" in first.inner_text()
    screenshot(page, "changed")

    # 注销 with a one-character reason: the gateway's Chinese message, what was typed kept
    second.locator("summary", has_text=re.compile("^注销")).click()
    second.get_by_label("注销原因类别").select_option(label="持证人申请注销")
    second.get_by_label("注销理由").fill("错")
    with page.expect_navigation() as refused:
        second.get_by_role("button", name=re.compile("^注销证照")).click()  # the confirmation is accepted
    assert refused.value.status == 422
    second = _card(page, number, 2)
    reason = second.get_by_label("注销理由")
    expect(page.locator("#form-errors")).to_contain_text("长度不能少于 2 个字符")
    expect(second.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    expect(reason).to_have_value("错")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(second.get_by_label("注销原因类别")).to_have_value("REVOKE_KIND_HOLDER_REQUEST")
    expect(second.locator("details:has(textarea[name=reason])")).to_have_attribute("open", "")
    expect(page.get_by_label("证照编号、持证主体或办件编号")).to_have_value(number)  # the search is kept
    screenshot(page, "refused")

    reason.fill(REASON)
    with page.expect_navigation():
        second.get_by_role("button", name=re.compile("^注销证照")).click()
    expect(page.locator(".flash-success")).to_contain_text(f"已注销营业执照（证照编号 {number}）")
    expect(_card(page, number, 2).locator(".badge")).to_have_text("已注销")
    expect(_card(page, number, 1).locator(".badge")).to_have_text("已换发")
    assert not page.locator("li.wb-licence form").count()  # neither version can be acted on any more
    screenshot(page, "revoked")

    page.get_by_label("状态").select_option(label="已注销")
    with page.expect_navigation():
        page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("li.wb-licence")).to_have_count(1)
    approver = login(embedded_gateway, APPROVER)
    issued = ok(
        embedded_gateway.get("/api/v1/licence/licences/issued", headers=approver, params={"q": number})
    )
    assert [(x["version"], x["status"]) for x in issued] == [
        (2, "LICENCE_STATUS_REVOKED"),
        (1, "LICENCE_STATUS_SUPERSEDED"),
    ]
    assert issued[0]["fields"]["business_scope"] == SCOPE
    verified = ok(embedded_gateway.get(f"/api/v1/licence/licences/{issued[0]['identifier']}/verification"))
    assert verified["valid"] is False


def test_the_register_is_for_approvers_and_department_admins_only(embedded_portal, workbench) -> None:  # type: ignore[no-untyped-def]
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/")
    expect(clerk.get_by_role("link", name="出证")).to_be_visible()
    assert not clerk.get_by_role("link", name="发证台账").count()
    assert clerk.goto(embedded_portal + "/workbench/licences").status == 403
    expect(clerk.locator("main")).to_contain_text("发证台账仅供发证部门的审批人员和部门管理员使用")
    admin = workbench.open(embedded_portal, "jinjiang.deptadmin", "/workbench/")
    with admin.expect_navigation():
        admin.get_by_role("link", name="发证台账").click()
    expect(admin.locator("h1")).to_have_text("发证台账")


def test_the_holder_downloads_the_licence_as_a_verifiable_credential(  # type: ignore[no-untyped-def]
    embedded_gateway, login, embedded_portal, new_page, issuer_login, screenshot, tmp_path
) -> None:
    case_no = run_case_to_completion(embedded_gateway, login)
    licence = _licence(embedded_gateway, login, case_no)
    page = new_page()
    page.goto(embedded_portal + "/licences")
    issuer_login(page, CITIZEN)
    row = page.locator("table.cz-licences tbody tr").filter(has=page.locator(f'a[href="/cases/{case_no}"]'))
    expect(row).to_have_count(1)
    button = row.get_by_role("button", name=re.compile("^下载可验证凭证（W3C VC）"))
    screenshot(page, "wallet")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == f"营业执照-{licence['licence_no']}.vc.json"
    saved = tmp_path / "licence.vc.json"
    download.save_as(saved)
    credential = json.loads(saved.read_text(encoding="utf-8"))
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "VerifiableCredential" in credential["type"]
    subject = credential["credentialSubject"]
    assert (subject["licenceIdentifier"], subject["licenceNumber"]) == (
        licence["identifier"],
        licence["licence_no"],
    )
    verified = ok(embedded_gateway.post("/credentials/verify", json={"verifiableCredential": credential}))
    assert verified["verified"] is True, verified

    reply = page.request.get(f"{embedded_portal}/licences/{licence['identifier']}/credential")
    assert reply.status == 200 and reply.headers["content-type"].startswith("application/vc")
    assert reply.headers["content-disposition"].startswith("attachment;")
    other = page.request.get(f"{embedded_portal}/licences/1.2.156.3005.2.11510104MB3234567001x/credential")
    assert other.status in (400, 404, 422) and "text/html" in other.headers["content-type"]
