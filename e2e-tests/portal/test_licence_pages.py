"""The e-licence pages in a browser on the embedded platform: 我的证照 after an approved case, its PDF,
亮证 (a QR code and link anyone opens; the view listed for the holder), and 证照核验 by identifier and by
file without login (a tampered file fails its check)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from ywtb.common.testing.case_flow import FOOD_FORM, FOOD_ITEM, ok, run_case_to_completion
from ywtb.common.testing.demo import CITIZEN
from ywtb.common.testing.pages import field, fill, pdf_file


def _wallet_row(page, portal: str, case_no: str):  # type: ignore[no-untyped-def]
    """The wallet's row of the case's licence, reloading until the licence service has issued it."""
    page.goto(portal + "/licences")
    row = page.locator("table.cz-licences tbody tr").filter(has=page.locator(f'a[href="/cases/{case_no}"]'))
    deadline = time.monotonic() + 60
    while not row.count():
        assert time.monotonic() < deadline, f"no licence for {case_no} within 60 s"
        time.sleep(1)
        page.reload()
    return row


def test_the_wallet_lists_the_licence_and_anyone_verifies_it(
    embedded_gateway, embedded_portal, login, new_page, issuer_login, screenshot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    case_no = run_case_to_completion(embedded_gateway, login)
    page = new_page()
    page.goto(embedded_portal + "/licences")
    issuer_login(page, CITIZEN)
    row = _wallet_row(page, embedded_portal, case_no)
    assert page.locator("h1").inner_text() == "我的证照"
    text = row.inner_text()
    for fact in ("营业执照", "成都市锦江区市场监督管理局", "长期", "有效"):
        assert fact in text, fact
    screenshot(page, "wallet")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^下载")).click()
    pdf = tmp_path / "licence.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^亮证")).click()
    assert page.locator("h1").inner_text() == "亮证"
    expect(page.locator(".cz-qr svg")).to_be_visible()
    link = page.locator(".cz-share a.cz-code").inner_text()
    assert re.search(r"/s/[A-Za-z0-9_-]{43}$", link) and "暂无查看记录" in page.locator("main").inner_text()
    screenshot(page, "share")
    inspector = new_page()  # whoever scanned the QR code: no login
    inspector.goto(link)
    expect(inspector.locator("#verdict")).to_have_text("核验通过：证照真实有效")
    screenshot(inspector, "shared")
    page.goto(embedded_portal + "/licences")
    row = _wallet_row(page, embedded_portal, case_no)
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^亮证")).click()
    assert (
        "未登录用户" in page.locator("table").inner_text() and "已展示" in page.locator("table").inner_text()
    )
    page.goto(embedded_portal + "/licences")
    row = _wallet_row(page, embedded_portal, case_no)

    row.get_by_role("link", name=re.compile("^核验")).click()
    page.wait_for_url(re.compile(r"/verify\?identifier="))
    expect(page.locator("#verdict")).to_have_text("核验通过：证照真实有效")
    checks = page.locator("table.cz-checks tbody tr")
    assert checks.count() == 5 and all("通过" in checks.nth(i).inner_text() for i in range(5))
    identifier = page.get_by_label("证照标识").input_value()
    screenshot(page, "verified")

    anonymous = new_page()  # no login: verification is public
    anonymous.goto(embedded_portal + "/verify")
    anonymous.get_by_label("证照标识").fill(identifier)
    anonymous.get_by_role("button", name="核验", exact=True).click()
    expect(anonymous.locator("#verdict")).to_have_text("核验通过：证照真实有效")
    assert "张*" in anonymous.locator(".cz-facts").inner_text()

    anonymous.get_by_label("证照 PDF 文件（不超过 5 MB）").set_input_files(str(pdf))
    anonymous.get_by_role("button", name="上传并核验").click()
    expect(anonymous.locator("#verdict")).to_have_text("核验通过：证照真实有效")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf.read_bytes() + b"%tampered\n")
    anonymous.get_by_label("证照 PDF 文件（不超过 5 MB）").set_input_files(str(tampered))
    anonymous.get_by_role("button", name="上传并核验").click()
    expect(anonymous.locator("#verdict")).to_have_text("核验未通过：请查看下列各项")
    failed = anonymous.locator("table.cz-checks tbody tr").filter(has_text="未通过")
    assert failed.count() == 1 and "文件完整性" in failed.inner_text()
    screenshot(anonymous, "tampered")

    anonymous.goto(embedded_portal + "/verify?identifier=1.2.156.3005.2.x")
    expect(anonymous.locator(".flash-error")).to_contain_text("证照标识格式不正确")
    assert ok(embedded_gateway.get(f"/api/v1/licence/licences/{identifier}/verification"))["valid"] is True


def test_a_held_licence_stands_for_a_material_of_a_second_application(
    embedded_gateway, embedded_portal, login, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    """一证通办: the 食品经营许可 form offers 张三's 营业执照 for its 营业执照 material; without consent it is
    refused and nothing is lost, with consent the case carries it as a trust-grade-A material."""
    first = run_case_to_completion(embedded_gateway, login)
    page = new_page()
    page.goto(embedded_portal + "/licences")
    issuer_login(page, CITIZEN)
    _wallet_row(page, embedded_portal, first)
    hit = next(
        h
        for h in ok(embedded_gateway.get("/api/v1/catalog/search", params={"q": "食品经营许可"}))["hits"]
        if h["name"] == FOOD_ITEM
    )
    page.goto(f"{embedded_portal}/items/{hit['item_id']}/apply")
    fill(page, {f"form.{k}": str(v) for k, v in FOOD_FORM.items() if k != "main_business"})
    field(page, "form.main_business").select_option(FOOD_FORM["main_business"])
    for index in (0, 3, 4):  # the applicant's own materials of the guide
        field(page, f"material.{index}").set_input_files(pdf_file(f"材料{index}.pdf"))
    held = page.get_by_label(re.compile("^使用我的电子证照：营业执照")).first
    held.check()
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="提交申请", exact=True).click()
    assert refused.value.status == 422
    expect(page.locator("#e-licence_consent")).to_contain_text("同意调取我的电子证照")
    expect(page.get_by_label(re.compile("^使用我的电子证照：营业执照")).first).to_be_checked()
    for index in (0, 3, 4):  # files already uploaded are kept; the rest of the form too
        assert (
            page.locator(f'[id="f-material.{index}"]').count() or page.get_by_text(f"材料{index}.pdf").count()
        )
    page.get_by_label("同意调取我的电子证照用于本次申请（一证通办）").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_no = page.url.rsplit("/", 1)[1]
    screenshot(page, "applied-with-licence")
    citizen = login(embedded_gateway, CITIZEN)
    files = ok(embedded_gateway.get(f"/api/v1/cases/{case_no}/materials", headers=citizen))
    held_files = [f["file"] for f in files if f["material_name"] == "营业执照"]
    assert [f["trust_grade"] for f in held_files] == ["A"] and held_files[0]["licence_identifier"]
