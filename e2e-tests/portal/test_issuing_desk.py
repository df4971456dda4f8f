"""出证台 in a browser on the embedded platform: an approved 食品经营许可 case (a type issued by hand)
waits on the issuing clerk's desk with its due day; the clerk fills the fields and issues it, and it
reaches the citizen's wallet valid for five years."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import expect

from ywtb.common.codes import make_credit_code
from ywtb.common.testing.case_flow import do_task, ok, upload
from ywtb.common.testing.demo import CITIZEN, ID_NUMBER

ITEM = "食品经营许可（新办）"
FORM = {
    "entity_name": "张三小吃店",
    "credit_code": make_credit_code("92510104MA6CXQ0R0"),
    "premises": "成都市锦江区红星路一段1号",
    "main_business": "餐饮服务经营者",
    "business_items": "热食类食品制售",
    "area": 45,
    "contact_mobile": "13800000001",
}


def _approved_food_case(gateway, login) -> str:  # type: ignore[no-untyped-def]
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
    approver = login(gateway, "jinjiang.approver")
    hit = next(
        h
        for h in ok(gateway.get("/api/v1/catalog/search", params={"q": "食品经营许可"}))["hits"]
        if h["name"] == ITEM
    )
    guide = ok(gateway.get(f"/api/v1/catalog/items/{hit['item_id']}/guide"))
    materials = [
        {"material_name": m["name"], "file_ids": [upload(gateway, citizen, f"{m['name'][:20]}.pdf")]}
        for m in guide["guide"]["materials"]
        if m["required"] and m["source"] == "MATERIAL_SOURCE_APPLICANT"
    ]
    body = {
        "item_id": hit["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {"applicant_type": 1, "name": "张三", "id_type": "111", "id_number": ID_NUMBER},
        "form_data": FORM,
        "materials": materials,
    }
    headers = {**citizen, "Idempotency-Key": str(uuid.uuid4())}
    case_no = ok(gateway.post("/api/v1/cases", headers=headers, json=body), 201)["case_no"]
    acceptance = {"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"}
    ok(gateway.post(f"/api/v1/cases/{case_no}/accept", headers=clerk, json=acceptance))
    do_task(gateway, clerk, case_no, "accept", "已受理")
    do_task(gateway, approver, case_no, "review", "审查通过")
    do_task(gateway, approver, case_no, "decide", "准予许可", "approve")
    return case_no


def test_the_clerk_issues_a_licence_left_to_the_desk(
    embedded_gateway, login, workbench, embedded_portal, screenshot
) -> None:  # type: ignore[no-untyped-def]
    case_no = _approved_food_case(embedded_gateway, login)
    page = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/issuances")
    card = page.locator("li.wb-task").filter(has=page.get_by_role("link", name=case_no, exact=True))
    button = card.get_by_role("button", name=re.compile("^签发证照"))
    deadline = time.monotonic() + 60
    while not button.count():  # listed as pending at first, then left to the clerk (a type issued by hand)
        assert time.monotonic() < deadline, f"no issuance of {case_no} on the desk within 60 s"
        time.sleep(1)
        page.reload()
    assert "食品经营许可证" in card.inner_text()
    expect(card.locator(".deadline-day")).to_contain_text("截止")
    screenshot(page, "desk")

    card.get_by_label("经营项目").fill("热食类食品制售")
    card.get_by_label("经营场所").fill("成都市锦江区红星路一段1号")
    with page.expect_navigation():
        button.click()
    expect(page.locator(".flash-success")).to_contain_text("已签发食品经营许可证")
    assert (
        not page.locator("li.wb-task").filter(has=page.get_by_role("link", name=case_no, exact=True)).count()
    )

    citizen = login(embedded_gateway, CITIZEN)
    mine = ok(embedded_gateway.get("/api/v1/licence/licences/mine", headers=citizen))
    (licence,) = [x for x in mine if x["case_no"] == case_no]
    assert licence["type_name"] == "食品经营许可证" and licence["valid_until"] != "长期"
    assert licence["fields"] == {
        "business_items": "热食类食品制售",
        "business_address": "成都市锦江区红星路一段1号",
    }
