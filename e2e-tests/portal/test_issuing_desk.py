"""出证台 in a browser on the embedded platform: an approved 食品经营许可 case (a type issued by hand)
waits on the issuing clerk's desk with its due day; the clerk fills the fields and issues it, and it
reaches the citizen's wallet valid for five years."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from ywtb.common.testing.case_flow import approved_food_case, ok
from ywtb.common.testing.demo import CITIZEN


def test_the_clerk_issues_a_licence_left_to_the_desk(
    embedded_gateway, login, workbench, embedded_portal, screenshot
) -> None:  # type: ignore[no-untyped-def]
    case_no = approved_food_case(embedded_gateway, login)
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
