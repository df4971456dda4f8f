"""在线申办 of a 一件事 bundle in a browser on the embedded platform: 出生一件事's merged form refused once
with a required field empty (message, values and files kept), then submitted → the case page and my cases
show the bundle and its items; the API's case carries the bundle code and the items.

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_bundle_apply.py -x -q
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ywtb.common.testing.demo import CITIZEN, ID_NUMBER, pdf
from ywtb.common.testing.pages import field

BUNDLE = "510104-YJS-0002"
NAME = "出生一件事"
ITEMS = ["出生医学证明签发", "出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"]
CHILD_ID = "51010420260115002" + "X"  # the form only asks for 18 characters (no check-digit rule)
TEXTS = {
    "form.birth_date": "2026-01-15",
    "form.birth_place": "成都市锦江区妇幼保健院",
    "form.mother_name": "李四",
    "form.mother_id": ID_NUMBER,
    "form.mobile": "13800000001",
    "form.applicant_name": "张三",
    "form.id_number": ID_NUMBER,
    "form.insured_name": "张小明",
    "form.insured_id": CHILD_ID,
}
CHOICES = {
    "form.child_gender": "男",
    "form.hukou_with": "随父",
    "form.category": "新生儿",
    "form.delivery": "邮寄",
}
UPLOADS = ["出生医学证明首次签发登记表", "分娩记录", "近期免冠证件照片"]  # the applicant's required materials


def slot(page, material: str):  # type: ignore[no-untyped-def]
    """The upload block of a material."""
    return page.locator(".cz-material", has=page.locator("label", has_text=re.compile(f"^{material}")))


def submit(page) -> int:  # type: ignore[no-untyped-def]
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="提交申请").click()
    return navigation.value.status


def test_bundle_applied_online_with_its_merged_form(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, screenshot
) -> None:
    page = new_page()
    page.goto(f"{embedded_portal}/bundles/{BUNDLE}")
    page.get_by_role("link", name="在线申办").click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(f"/bundles/{BUNDLE}/apply$"))
    expect(page.locator("h1")).to_have_text(f"在线申办：{NAME}")
    expect(page.locator("#bundle-items li")).to_have_count(len(ITEMS))
    expect(field(page, "applicant.name")).to_have_value("张三")  # from the account
    expect(field(page, "applicant.id_number")).to_have_value(ID_NUMBER)
    # every item's fields once, and each material says which items it serves
    phone_labels = page.locator("label", has_text=re.compile("^联系电话"))
    expect(phone_labels).to_have_count(2)  # the applicant's and the form's
    expect(page.locator("label", has_text=re.compile("^领卡方式"))).to_have_count(1)
    expect(slot(page, "近期免冠证件照片")).to_contain_text("用于：社会保障卡申领")
    expect(slot(page, "分娩记录")).to_contain_text("用于：出生医学证明签发")
    key = page.locator("input[name=idempotency_key]").input_value()
    screenshot(page, "form")

    # 新生儿姓名 left empty: 422, the Chinese message at the field, everything typed and uploaded kept
    for name, value in TEXTS.items():
        field(page, name).fill(value)
    for name, value in CHOICES.items():
        field(page, name).select_option(value)
    for material in UPLOADS:
        slot(page, material).locator("input[type=file]").set_input_files(
            {"name": f"{material}.pdf", "mimeType": "application/pdf", "buffer": pdf(material)}
        )
    assert submit(page) == 422
    expect(page.locator("#e-form\\.child_name")).to_have_text("请填写新生儿姓名。")
    expect(field(page, "form.child_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_contain_text("请填写新生儿姓名。")
    for name, value in TEXTS.items():
        expect(field(page, name)).to_have_value(value)
    for name, value in CHOICES.items():
        expect(field(page, name)).to_have_value(value)
    for material in UPLOADS:
        expect(slot(page, material).locator(".cz-kept")).to_contain_text(f"{material}.pdf")
    assert page.locator("input[name=idempotency_key]").input_value() == key
    screenshot(page, "refused")

    # completed: PRG to the case page with the number; the bundle and its items shown
    field(page, "form.child_name").fill("张小明")
    assert submit(page) == 200
    page.wait_for_url(re.compile(r"/cases/[0-9A-Za-z-]+$"))
    case_no = page.locator("#case-no").inner_text()
    expect(page.locator(".flash-success")).to_contain_text(f"办件编号：{case_no}")
    expect(page.locator("h1")).to_have_text(NAME)
    expect(page.locator("#bundle-items li")).to_have_text(ITEMS)
    expect(page.locator("#case-status")).to_have_text("已申办，待受理")
    facts = page.locator("section", has=page.get_by_role("heading", name="申请表"))
    expect(facts).to_contain_text("张小明")
    expect(facts).to_contain_text("邮寄")  # a field of the last item's schema
    screenshot(page, "case")

    page.goto(embedded_portal + "/cases")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=case_no, exact=True))
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("一件事 · 4 个事项")

    # the API's case: the bundle code and its items, in the bundle's order
    citizen = login(embedded_gateway, CITIZEN)
    case = embedded_gateway.get(f"/api/v1/cases/{case_no}", headers=citizen).json()
    assert case["bundle_code"] == BUNDLE
    assert [i["name"] for i in case["bundle_items"]] == ITEMS
    assert case["item_id"] == case["bundle_items"][0]["item_id"]
    assert case["form_data"]["delivery"] == "邮寄" and case["form_data"]["child_name"] == "张小明"
    assert {m["material_name"] for m in case["materials"]} == set(UPLOADS)


def test_a_bundle_with_a_withdrawn_item_says_so_instead_of_the_form(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, screenshot
) -> None:
    code = "510104-YJS-0004"  # 身后一件事; no other test uses its items
    admin = login(embedded_gateway, "jinjiang.admin")
    item_id = embedded_gateway.get(f"/api/v1/catalog/bundles/{code}").json()["items"][0]["item_id"]
    withdrawn = embedded_gateway.post(
        f"/api/v1/catalog/items/{item_id}/withdraw", headers=admin, json={"reason": "暂停办理"}
    )
    assert withdrawn.status_code == 200, withdrawn.text

    page = new_page()
    page.goto(f"{embedded_portal}/bundles/{code}")
    expect(page.get_by_text("部分事项暂停办理，请咨询窗口。")).to_be_visible()
    expect(page.get_by_role("link", name="在线申办")).to_have_count(0)
    page.goto(f"{embedded_portal}/bundles/{code}/apply")
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(f"/bundles/{code}/apply$"))
    expect(page.locator("#apply-closed")).to_have_text(
        "该“一件事”中有事项暂停办理，暂时无法联办申报，请联系服务窗口。"
    )
    expect(page.locator("form.cz-apply")).to_have_count(0)
    expect(page.get_by_role("link", name="返回“一件事”")).to_have_attribute("href", f"/bundles/{code}")
    screenshot(page, "closed")
