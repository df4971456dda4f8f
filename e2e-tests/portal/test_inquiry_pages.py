"""咨询投诉 in a browser on the embedded platform: 张三 asks about 个体工商户设立登记 from its guide's 咨询 (refused
first with a one-character title, the rest kept), agreeing to publish; the window clerk answers it on the
workbench's queue and publishes it; anyone then finds it in the search's 问答知识库 (beside the guides' FAQs)
and on the public answers, without the asker; 张三 complains about his case from its page's 投诉 and escalates
the complaint (refused first without a reason); the clerk can no longer answer it, the tenant admin does.
Without an account a visitor asks from the guide's 咨询 with a mobile: 获取验证码 shows the form again as typed, the
code is read from the SMS simulator (a wrong one refused first), the 查询码 is shown; the clerk answers, the answer
is texted with the 查询码, which opens the inquiry with its answer (from its page, or typed into the lookup form)
and is in no log line. The pages pass axe-core's WCAG 2.x A/AA rules (conftest's `audit`, desktop and 375 px).

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_inquiry_pages.py -x -q
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

from ywtb.common.testing.case_flow import ok
from ywtb.common.testing.demo import CITIZEN, ITEM, ITEM_QUERY, submitted_case
from ywtb.common.testing.sms import last_message

DEPT_NAME = "成都市锦江区市场监督管理局"
QUESTION = "家里的住宅可以登记为个体工商户的经营场所吗？需要提供哪些证明？"
REPLY = "可以。住宅作为经营场所的，网上申报时上传房屋产权证明和住所使用承诺即可。"
COMPLAINT = "办件过程中被多次要求补正同一份材料，希望一次性告知。"
ESCALATION = "部门未说明原因，希望政务服务管理部门督办"
ANSWER = "已督促部门一次性告知补正材料，并向您致歉。"
MOBILE_QUESTION = "个体工商户设立登记前需要先办理名称预先核准吗？"
MOBILE_REPLY = "无需单独办理，网上申报设立登记时一并申报名称即可。"


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
    embedded_gateway, embedded_portal, new_page, issuer_login, workbench, screenshot, audit
) -> None:
    mark = uuid.uuid4().hex[:8]
    title = f"住宅作经营场所 {mark}"
    hits = ok(embedded_gateway.get("/api/v1/catalog/search", params={"q": ITEM_QUERY}))["hits"]
    item_id = next(h["item_id"] for h in hits if h["name"] == ITEM)

    page = new_page()
    page.goto(f"{embedded_portal}/items/{item_id}")
    page.get_by_role("link", name="咨询", exact=True).click()
    page.wait_for_url(re.compile(r"/inquiries\?kind=consultation"))
    expect(page.locator("h1")).to_have_text("咨询投诉")  # without an account: with a mobile
    page.get_by_role("link", name="登录后提交").click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/inquiries\?kind=consultation"))
    expect(page.locator("h1")).to_have_text("我的咨询投诉")
    expect(page.get_by_label("手机号码")).to_have_count(0)
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
    embedded_gateway, embedded_portal, login, new_page, issuer_login, workbench, screenshot, audit
) -> None:
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


def test_without_an_account_a_consultation_asked_with_a_mobile_is_read_by_its_ref(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, new_page, workbench, sms_simulator, platform_log, screenshot, audit
) -> None:
    sms_url, sms_key = sms_simulator(embedded_gateway)
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    masked = f"{mobile[:3]}****{mobile[-4:]}"
    title = f"名称预先核准 {uuid.uuid4().hex[:8]}"
    hits = ok(embedded_gateway.get("/api/v1/catalog/search", params={"q": ITEM_QUERY}))["hits"]
    item_id = next(h["item_id"] for h in hits if h["name"] == ITEM)

    page = new_page()
    page.goto(f"{embedded_portal}/items/{item_id}")
    page.get_by_role("link", name="咨询", exact=True).click()
    page.wait_for_url(re.compile(r"/inquiries\?kind=consultation"))
    expect(page.locator("h1")).to_have_text("咨询投诉")
    form = page.locator("#ask form")
    expect(form.get_by_label("咨询", exact=True)).to_be_checked()
    expect(form.get_by_label("咨询或投诉的对象")).to_have_value(f"item:{item_id}")
    expect(page.get_by_role("link", name="登录后提交")).to_be_visible()
    audit(page, "the ask form without an account")

    # 获取验证码: the form posted and shown again as typed, saying where the code went and when to ask again
    form.get_by_label("标题").fill(title)
    form.get_by_label("内容").fill(MOBILE_QUESTION)
    form.get_by_label("手机号码").fill(mobile)
    assert _submit(page, form, "获取验证码", exact=True) == 200
    expect(page.locator(".cz-code-sent")).to_contain_text(f"验证码已发送到 {masked}")
    expect(page.locator(".cz-code-sent")).to_contain_text("后重新获取")
    form = page.locator("#ask form")
    expect(form.get_by_label("标题")).to_have_value(title)
    expect(form.get_by_label("内容")).to_have_value(MOBILE_QUESTION)
    expect(form.get_by_label("手机号码")).to_have_value(mobile)
    expect(form.get_by_label("短信验证码")).to_be_focused()
    audit(page, "the ask form with the code sent")
    texted = last_message(sms_url, sms_key, mobile)
    code = re.search(r"\d{6}", texted).group()  # type: ignore[union-attr]

    # a wrong code: refused next to it, the rest kept; then the right one (Enter sends the question)
    form.get_by_label("短信验证码").fill("000000" if code != "000000" else "111111")
    assert _submit(page, form, "提交", exact=True) == 422
    expect(page.locator("#e-mobile_code")).to_have_text("验证码不正确或已失效，请重新获取验证码。")
    expect(page.locator("#form-errors")).to_be_focused()
    audit(page, "the ask form with a wrong code", phone=False)
    form = page.locator("#ask form")
    expect(form.get_by_label("标题")).to_have_value(title)
    form.get_by_label("短信验证码").fill(code)
    with page.expect_navigation() as asked:
        form.get_by_label("短信验证码").press("Enter")
    assert asked.value and asked.value.status == 200
    expect(page.locator("h1")).to_have_text("已提交咨询")
    ref = page.locator("#cz-ref").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", ref), ref
    expect(page.locator("main")).to_contain_text("查询码只在本页显示这一次")
    expect(page.locator("main")).to_contain_text(f"{DEPT_NAME}将于")
    expect(page.locator("main")).to_contain_text(f"答复后将以短信通知 {masked}")
    audit(page, "the 查询码, shown once")
    screenshot(page, "ref")

    # the window clerk answers it on the queue; the answer is texted with the 查询码
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/inquiries")
    card = _queued(clerk, title)
    expect(card).to_contain_text(MOBILE_QUESTION)
    card.locator("summary", has_text=re.compile("^答复")).click()
    expect(card).to_contain_text("提问人未同意公开")
    card.get_by_label("答复内容").fill(MOBILE_REPLY)
    assert _submit(clerk, card, "提交答复") == 200
    expect(clerk.locator(".flash-success")).to_have_text(f"已答复“{title}”。")
    answered = last_message(sms_url, sms_key, mobile, after=1, wait_s=30)
    assert ref in answered and "已答复" in answered, answered

    # the visitor opens it from the page that showed the code, and anyone with the code from the lookup form
    page.get_by_role("link", name="查看进度和答复").click()
    page.wait_for_url(f"{embedded_portal}/inquiries/ref/{ref}")
    expect(page.locator("h1")).to_have_text("咨询投诉进度和答复")
    shown = page.locator("section.cz-inquiry")
    for fact in (title, "已答复", MOBILE_QUESTION, MOBILE_REPLY, DEPT_NAME, ITEM):
        expect(shown).to_contain_text(fact)
    audit(page, "the inquiry of a 查询码 with its answer")
    screenshot(page, "answer")
    phone = new_page(width=375, height=812)
    phone.goto(f"{embedded_portal}/inquiries/ref")
    expect(phone.locator("h1")).to_have_text("凭查询码查看答复")
    audit(phone, "the 查询码 lookup form")
    phone.get_by_label("查询码").fill("x" * 16)
    assert _submit(phone, phone.locator("main form"), "查询", exact=True) == 404
    expect(phone.locator("#e-ref")).to_have_text("未找到该查询码对应的咨询投诉，请核对短信中的查询码。")
    audit(phone, "the 查询码 lookup form, not found")
    phone.get_by_label("查询码").fill(f" {ref} ")
    assert _submit(phone, phone.locator("main form"), "查询", exact=True) == 200
    assert phone.url == f"{embedded_portal}/inquiries/ref/{ref}"
    expect(phone.locator("section.cz-inquiry")).to_contain_text(MOBILE_REPLY)

    log = platform_log(embedded_gateway)
    assert "/inquiries/ref/***" in log and ref not in log  # the portal's access log, its gateway calls
    audit.done()
