"""咨询投诉 in a browser on the embedded platform: 张三 asks about 个体工商户设立登记 from its guide's 咨询 (refused
first with a one-character title, the rest kept), agreeing to publish; the window clerk answers it on the
workbench's queue and publishes it; anyone then finds it in the search's 问答知识库 (beside the guides' FAQs)
and on the public answers, without the asker; 张三 complains about his case from its page's 投诉 and escalates
the complaint (refused first without a reason); the clerk can no longer answer it, the tenant admin does. The
new pages pass axe-core's WCAG 2.x A/AA rules (the audit of test_accessibility.py, at desktop and phone width).

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_inquiry_pages.py -x -q
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from ywtb.common.testing.case_flow import ok
from ywtb.common.testing.demo import CITIZEN, ITEM, ITEM_QUERY, submitted_case

DEPT_NAME = "成都市锦江区市场监督管理局"
QUESTION = "家里的住宅可以登记为个体工商户的经营场所吗？需要提供哪些证明？"
REPLY = "可以。住宅作为经营场所的，网上申报时上传房屋产权证明和住所使用承诺即可。"
COMPLAINT = "办件过程中被多次要求补正同一份材料，希望一次性告知。"
ESCALATION = "部门未说明原因，希望政务服务管理部门督办"
ANSWER = "已督促部门一次性告知补正材料，并向您致歉。"

# the rules of test_accessibility.py's Audit: WCAG 2.x A/AA, structure at any impact, others when serious
AXE = Axe()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
STRUCTURE = {
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-unique",
    "region",
}
BLOCKING = {"serious", "critical"}
PHONE = {"width": 375, "height": 812}
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""
BROKEN_SUMMARY_LINKS = """() => [...document.querySelectorAll('#form-errors a[href^="#"]')]
  .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""


class Audit:
    """What axe and the page checks find on each page audited, reported at the end."""

    def __init__(self, screenshot: Any) -> None:
        self.screenshot = screenshot
        self.problems: list[str] = []

    def _once(self, page: Page, what: str) -> None:
        options = {"runOnly": {"type": "tag", "values": [*WCAG, "best-practice"]}}
        result = AXE.run(page, options=options).response
        failing = [v for v in result["violations"] if v["impact"] in BLOCKING or v["id"] in STRUCTURE]
        found = [
            f"  [{v['impact']}] {v['id']}: {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
            for v in failing
        ]
        if duplicates := page.evaluate(DUPLICATE_IDS):
            found.append(f"  duplicate ids: {duplicates}")
        if broken := page.evaluate(BROKEN_SUMMARY_LINKS):
            found.append(f"  error summary links to missing fields: {broken}")
        if (
            page.viewport_size == PHONE
            and page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]
        ):
            found.append("  the page scrolls sideways at 375 px (WCAG 1.4.10 reflow)")
        if found:
            self.problems.append(f"{what} ({page.url}):\n" + "\n".join(found))
            self.screenshot(page, re.sub(r"\W+", "-", what))

    def __call__(self, page: Page, what: str, phone: bool = True) -> None:
        """Audit the page as it is and, unless phone=False, again at 375 px wide."""
        expect(page.locator("h1").first).to_be_visible()
        self._once(page, what)
        if phone:
            size = page.viewport_size
            page.set_viewport_size(PHONE)
            self._once(page, f"{what} at 375 px")
            if size:
                page.set_viewport_size(size)

    def done(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


def _submit(page: Page, scope: Locator, button: str, exact: bool = False) -> int:
    """Click the scope's submit button; the status of the page that answered (after a redirect, 200)."""
    name: str | re.Pattern[str] = button if exact else re.compile(f"^{button}")
    with page.expect_navigation() as done:
        scope.get_by_role("button", name=name, exact=exact or None).click()
    return done.value.status if done.value else 0


def _mine(page: Page, title: str) -> Locator:
    return page.locator("li.cz-inquiry").filter(has=page.get_by_role("heading", name=title, exact=True))


def _queued(page: Page, title: str, where: str = "wb-waiting") -> Locator:
    return page.locator(f"ul.{where} li.wb-inquiry").filter(has_text=title)


def test_a_consultation_answered_and_published_is_found_by_anyone(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, new_page, issuer_login, workbench, screenshot
) -> None:
    audit = Audit(screenshot)
    mark = uuid.uuid4().hex[:8]
    title = f"住宅作经营场所 {mark}"
    hits = ok(embedded_gateway.get("/api/v1/catalog/search", params={"q": ITEM_QUERY}))["hits"]
    item_id = next(h["item_id"] for h in hits if h["name"] == ITEM)

    page = new_page()
    page.goto(f"{embedded_portal}/items/{item_id}")
    page.get_by_role("link", name="咨询", exact=True).click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/inquiries\?kind=consultation"))
    expect(page.locator("h1")).to_have_text("我的咨询投诉")
    form = page.locator("#ask form")
    expect(form.get_by_label("咨询", exact=True)).to_be_checked()
    expect(form.get_by_label("咨询或投诉的对象")).to_have_value(f"item:{item_id}")
    expect(form.get_by_label("同意公开我的问题及答复")).not_to_be_checked()
    audit(page, "my inquiries with the ask form")

    # a one-character title: refused next to it by the gateway, the question and the consent kept
    form.get_by_label("标题").fill("住")
    form.get_by_label("内容").fill(QUESTION)
    form.get_by_label("同意公开我的问题及答复").check()
    assert _submit(page, form, "提交", exact=True) == 422
    form = page.locator("#ask form")
    expect(page.locator("#e-title")).to_have_text("长度不能少于 2 个字符")
    expect(form.get_by_label("标题")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("内容")).to_have_value(QUESTION)
    expect(form.get_by_label("同意公开我的问题及答复")).to_be_checked()
    expect(form.get_by_label("咨询或投诉的对象")).to_have_value(f"item:{item_id}")
    expect(page.locator("#form-errors")).to_be_focused()
    audit(page, "the ask form with errors", phone=False)
    screenshot(page, "refused")

    form.get_by_label("标题").fill(title)
    assert _submit(page, form, "提交", exact=True) == 200
    expect(page.locator(".flash-success")).to_contain_text(f"已提交。{DEPT_NAME}将于")
    mine = _mine(page, title)
    for fact in ("待答复", "答复期限", ITEM, "您已同意公开"):
        expect(mine).to_contain_text(fact)
    screenshot(page, "asked")

    # the window clerk: due first, with its deadline; answered and published
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/inquiries")
    expect(clerk.locator("h1")).to_have_text("咨询投诉")
    expect(clerk.get_by_role("link", name="咨询投诉")).to_have_attribute("aria-current", "page")
    card = _queued(clerk, title)
    expect(card.locator(".wb-reply-due")).to_contain_text("截止")
    expect(card).to_contain_text(QUESTION)
    card.locator("summary", has_text=re.compile("^答复")).click()
    audit(clerk, "the inquiry queue")
    card.get_by_label("答复内容").fill("可")
    card.get_by_label("公开答复").check()
    assert _submit(clerk, card, "提交答复") == 422
    card = _queued(clerk, title)
    expect(card.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    expect(card.get_by_label("公开答复")).to_be_checked()
    audit(clerk, "the inquiry queue with errors", phone=False)
    card.get_by_label("答复内容").fill(REPLY)
    assert _submit(clerk, card, "提交答复") == 200
    expect(clerk.locator(".flash-success")).to_have_text(f"已答复“{title}”，并公开到问答知识库。")
    done = _queued(clerk, title, "wb-answered")
    for fact in ("已答复", "已公开", "按期答复", REPLY):
        expect(done).to_contain_text(fact)
    expect(done.locator("summary")).to_have_count(0)
    screenshot(clerk, "answered")

    # anyone: the search's 问答知识库 (its words in the answer), the guides' FAQs, the public answers
    visitor = new_page()
    visitor.goto(f"{embedded_portal}/search?q={quote('经营场所 ' + mark)}")
    knowledge = visitor.locator("#knowledge")
    expect(knowledge.get_by_role("heading", name="问答知识库")).to_be_visible()
    entry = knowledge.locator("li.cz-reply-entry").filter(has_text=title)
    for fact in (QUESTION, REPLY, DEPT_NAME):
        expect(entry).to_contain_text(fact)
    expect(knowledge).not_to_contain_text("张三")
    audit(visitor, "search with the knowledge base")
    visitor.goto(f"{embedded_portal}/search?q={quote('字号')}")
    faq = visitor.locator("#knowledge li.cz-faq-entry").filter(has_text="个体工商户可以不起字号吗？")
    expect(faq.get_by_role("link", name=ITEM)).to_have_attribute("href", f"/items/{item_id}#g-faqs")
    visitor.goto(f"{embedded_portal}/replies")
    visitor.get_by_label("关键词").fill(mark)
    visitor.get_by_label("关键词").press("Enter")
    visitor.wait_for_url(re.compile(r"/replies\?query="))
    expect(visitor.locator("h1")).to_have_text("咨询投诉公开答复")
    expect(visitor.locator("li.cz-reply-entry")).to_have_count(1)
    answer = visitor.locator("li.cz-reply-entry")
    for fact in (title, QUESTION, REPLY, "答复单位", DEPT_NAME):
        expect(answer).to_contain_text(fact)
    expect(visitor.locator("main")).not_to_contain_text("张三")
    audit(visitor, "published answers")
    screenshot(visitor, "public")

    page.reload()
    mine = _mine(page, title)
    for fact in ("已答复", REPLY, "已公开"):
        expect(mine).to_contain_text(fact)
    expect(mine.locator("summary")).to_have_count(0)  # a consultation is not escalated
    audit(page, "my inquiries with an answer")
    audit.done()


def test_a_complaint_is_escalated_and_answered_by_the_tenant_admin(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, workbench, screenshot
) -> None:
    audit = Audit(screenshot)
    case_no, _ = submitted_case(embedded_gateway, login)
    title = f"多次补正 {uuid.uuid4().hex[:8]}"
    page = new_page()
    page.goto(f"{embedded_portal}/cases/{case_no}")
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(f"/cases/{case_no}$"))
    page.get_by_role("link", name="投诉", exact=True).click()
    page.wait_for_url(re.compile(r"/inquiries\?kind=complaint"))
    form = page.locator("#ask form")
    expect(form.get_by_label("投诉", exact=True)).to_be_checked()
    expect(form.get_by_label("咨询或投诉的对象")).to_have_value(f"case:{case_no}")
    form.get_by_label("标题").fill(title)
    form.get_by_label("内容").fill(COMPLAINT)
    assert _submit(page, form, "提交", exact=True) == 200
    expect(page.locator(".flash-success")).to_contain_text("已提交。")
    mine = _mine(page, title)
    expect(mine).to_contain_text(case_no)
    expect(mine).to_contain_text("不公开")

    # escalated: refused first without a reason (the gateway's message), then taken up
    mine.locator("summary", has_text=re.compile("^升级投诉")).click()
    assert _submit(page, mine, "提交升级") == 422
    mine = _mine(page, title)
    expect(mine.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    audit(page, "an escalation with errors", phone=False)
    mine.get_by_label("升级原因").fill(ESCALATION)
    assert _submit(page, mine, "提交升级") == 200
    expect(page.locator(".flash-success")).to_contain_text("已将投诉升级到政务服务管理部门")
    mine = _mine(page, title)
    expect(mine.locator(".cz-inquiry-status")).to_have_text("已升级，待答复")
    expect(mine).to_contain_text(ESCALATION)
    expect(mine.locator("summary")).to_have_count(0)  # once
    screenshot(page, "escalated")

    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/inquiries")
    card = _queued(clerk, title)
    expect(card).to_contain_text("由政务服务管理部门答复")
    expect(card.locator("summary")).to_have_count(0)

    admin = workbench.open(embedded_portal, "jinjiang.admin", "/workbench/inquiries")
    expect(admin.locator(".wb-summary").first).to_contain_text("升级到本级政务服务管理部门的投诉")
    card = _queued(admin, title)
    expect(card).to_contain_text(ESCALATION)
    card.locator("summary", has_text=re.compile("^答复")).click()
    expect(card.get_by_label("公开答复")).to_have_count(0)  # the complainant did not consent
    expect(card).to_contain_text("提问人未同意公开")
    audit(admin, "escalated complaints")
    card.get_by_label("答复内容").fill(ANSWER)
    assert _submit(admin, card, "提交答复") == 200
    expect(admin.locator(".flash-success")).to_have_text(f"已答复“{title}”。")
    expect(_queued(admin, title, "wb-answered")).to_contain_text(ANSWER)

    page.reload()
    mine = _mine(page, title)
    expect(mine.locator(".cz-inquiry-status")).to_have_text("已答复")
    expect(mine).to_contain_text(ANSWER)
    screenshot(page, "answered")
    audit.done()
