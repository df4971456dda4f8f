"""Accessibility of the portal (issue #6) on the embedded platform: axe-core's WCAG 2.x A/AA rules on the
key pages of every area at desktop and at phone width (also re-rendered with errors, with messages and in
English), the keyboard paths (skip link, search → guide, the application form filled and sent without a
mouse, the error summary leading to its fields), a visible focus, and the contrast of badges and messages.

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_accessibility.py -x -q
"""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from ywtb.common.testing.case_flow import approved_fee_case, completed_case, ok, run_case_to_completion
from ywtb.common.testing.demo import CITIZEN, FORM_FIELDS, ID_NUMBER, ITEM, PDF, submitted_case
from ywtb.common.testing.pages import field

FORM = {name: value for name, value in FORM_FIELDS.items() if name != "form.id_number"}

FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: (e.innerText || e.value || '').trim().slice(0, 40),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0};
}"""


def _post(page: Page, button: str) -> int:
    """Click a submit button; the status of the page the POST answered with (after redirects)."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    return response.status if response else 0


def _rated_case(gateway: Any, login: Any, level: int = 0) -> str:  # the 好差评 pages need a rated case
    """A completed case once it is open to rating; rated `level` by 张三 through the API unless 0."""
    case_no, citizen = completed_case(gateway, login), login(gateway, CITIZEN)
    for _ in range(120):  # the evaluation service opens it in the background
        reply = gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen)
        if reply.status_code == 200 and reply.json()["rateable"]:
            break
        time.sleep(0.5)
    if level:
        body = {"level": level, "comment": "窗口等候时间太长", "channel": 1}
        ok(gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json=body), 201)
    return case_no


def test_citizen_pages_pass_axe(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, audit
) -> None:
    case_no, _ = submitted_case(embedded_gateway, login)
    page = new_page()
    page.goto(embedded_portal + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    audit(page, "citizen home")
    page.goto(embedded_portal + "/search?q=gtgsh")
    audit(page, "search results")
    page.goto(embedded_portal + "/search?q=zzzzqqqq")
    audit(page, "search without results", phone=False)
    page.locator("#f-q").fill("gtgsh")
    page.locator("#f-q").press("Enter")
    page.locator(".cz-results > li").first.get_by_role("link", name=ITEM).click()
    page.wait_for_url(re.compile(r"/items/[^/]+$"))
    guide_url = page.url
    audit(page, "guide")
    page.goto(embedded_portal + "/bundles")
    with page.expect_navigation():
        page.locator("main h2 a").first.click()
    audit(page, "bundle", phone=False)

    page.goto(guide_url + "/apply")
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    audit(page, "apply form")
    field(page, "applicant.name").fill("")
    field(page, "form.capital").fill("五万")
    assert _post(page, "提交申请") == 422
    expect(page.locator("#form-errors")).to_be_focused()
    expect(field(page, "form.capital")).to_have_value("五万")
    audit(page, "apply form with errors")
    field(page, "applicant.name").fill("张三")
    for name, value in {**FORM, "form.id_number": ID_NUMBER}.items():
        field(page, name).fill(value)
    field(page, "material.0").set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    assert _post(page, "提交申请") == 200  # a main material left out: the case asks for it
    expect(page.locator("#notice")).to_be_visible()
    audit(page, "case with a correction notice and a message")

    page.goto(embedded_portal + "/bundles/510104-YJS-0002/apply")  # 出生一件事's merged form
    audit(page, "bundle apply form")
    assert _post(page, "提交申请") == 422
    expect(page.locator("#form-errors")).to_be_focused()
    audit(page, "bundle apply form with errors")

    page.goto(embedded_portal + "/cases")
    expect(page.get_by_role("link", name=case_no, exact=True)).to_be_visible()
    audit(page, "my cases")
    page.goto(f"{embedded_portal}/cases/{case_no}")
    audit(page, "case detail")
    page.goto(embedded_portal + "/licences")
    audit(page, "my licences")
    fee_case = approved_fee_case(embedded_gateway, login)
    page.goto(f"{embedded_portal}/cases/{fee_case}")
    for _ in range(60):  # its order is made and notified in the background
        if page.get_by_role("link", name="去缴费").count():
            break
        time.sleep(1)
        page.reload()
    audit(page, "case with a fee due")
    page.goto(embedded_portal + "/payments")
    audit(page, "my payments")

    # 好差评: the rating form (refused without a level), the bad review with its rectification, 我的评价
    rated = _rated_case(embedded_gateway, login)
    page.goto(f"{embedded_portal}/cases/{rated}")
    audit(page, "case with the rating form")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name=re.compile("^提交评价")).click()
    assert refused.value and refused.value.status == 422
    audit(page, "case with the rating form with errors", phone=False)
    page.locator("#rating").get_by_label("非常不满意", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^提交评价")).click()
    page.locator("#rating summary", has_text="追评").click()
    audit(page, "case rated with a follow-up form (message)")
    clerk = login(embedded_gateway, "jinjiang.clerk")
    (rectification,) = [
        r
        for r in ok(embedded_gateway.get("/api/v1/evaluation/rectifications", headers=clerk))
        if r["case_no"] == rated
    ]
    steps = (("callback", {"note": "已电话回访评价人"}), ("result", {"result": "增开一个综合窗口"}))
    for step, body in steps:
        path = f"/api/v1/evaluation/rectifications/{rectification['id']}/{step}"
        ok(embedded_gateway.post(path, headers=clerk, json=body))
    page.goto(embedded_portal + "/ratings")
    audit(page, "my ratings with a rectification to confirm")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name=re.compile("^提交确认")).first.click()
    assert refused.value and refused.value.status == 422
    audit(page, "my ratings with errors", phone=False)
    page.goto(embedded_portal + "/verify")
    audit(page, "licence verification")
    page.goto(embedded_portal + "/verify?identifier=1.2.156.3005.2.x")
    expect(page.locator(".flash-error")).to_be_visible()
    audit(page, "licence verification with an error", phone=False)

    # English: the page language follows, and the switch back is marked as Chinese
    page.goto(f"{embedded_portal}/lang?to=en&next=/cases/{case_no}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.locator("a[href^='/lang?to=zh']")
    expect(switch.locator("span[lang='zh-CN']")).to_have_text("中文")
    expect(switch).to_have_accessible_name(re.compile("^中文"))  # the name starts with the visible words
    audit(page, "case detail in English")
    page.goto(f"{embedded_portal}/lang?to=zh&next=/items/no-such-item")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    audit(page, "error page", phone=False)
    audit.done()


def test_workbench_pages_pass_axe(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, audit
) -> None:
    case_no, _ = submitted_case(embedded_gateway, login)
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/")
    audit(clerk, "workbench dashboard")
    clerk.goto(embedded_portal + "/workbench/queue")
    expect(clerk.locator("tbody tr", has_text=case_no)).to_be_visible()
    audit(clerk, "queue")
    clerk.goto(f"{embedded_portal}/workbench/cases/{case_no}")
    audit(clerk, "workbench case detail")

    clerk.locator("summary", has_text=re.compile("^不予受理$")).click()
    assert _post(clerk, "不予受理") == 422
    audit(clerk, "workbench case detail with errors")

    clerk.locator("summary", has_text=re.compile("^受理$")).click()
    _post(clerk, "受理")
    expect(clerk.locator(".flash-success")).to_contain_text(f"办件 {case_no} 已受理")
    audit(clerk, "workbench case accepted (message)")

    clerk.goto(embedded_portal + "/workbench/tasks")
    card = workbench.task(clerk, case_no, "受理")
    audit(clerk, "tasks")
    with clerk.expect_navigation():
        card.get_by_role("button", name="认领").click()
    expect(clerk.locator(".flash-success")).to_contain_text("已认领")
    audit(clerk, "tasks with a claimed task (message)")
    card = workbench.task(clerk, case_no, "受理")
    with clerk.expect_navigation() as refused:
        card.get_by_role("button", name=re.compile("^完成")).click()
    assert refused.value.status == 422
    audit(clerk, "tasks with errors")
    clerk.goto(f"{embedded_portal}/workbench/cases/{case_no}")
    audit(clerk, "workbench case detail with tasks")
    clerk.goto(embedded_portal + "/workbench/issuances")
    audit(clerk, "issuing desk")

    # 发证台账 with a licence of the department (its forms open), then its revocation refused
    licensed = run_case_to_completion(embedded_gateway, login)
    approver = workbench.open(embedded_portal, "jinjiang.approver", f"/workbench/licences?q={licensed}")
    card = approver.locator("li.wb-licence").filter(has_text=licensed)
    for _ in range(60):  # the licence service issues it on the case's completion event
        if card.count():
            break
        time.sleep(1)
        approver.reload()
    card.locator("summary", has_text=re.compile("^变更/延续")).click()
    card.locator("summary", has_text=re.compile("^注销")).click()
    audit(approver, "licence register")
    card.get_by_label("注销原因类别").select_option(label="错误发证")
    with approver.expect_navigation() as refused:
        card.get_by_role("button", name=re.compile("^注销证照")).click()
    assert refused.value.status == 422
    expect(approver.locator("#form-errors")).to_be_visible()
    audit(approver, "licence register with errors")

    # 缴费订单 with a fee case's 减免重开 form open, then refused; 对账差异 of a department and of the tenant
    fee_case = approved_fee_case(embedded_gateway, login)
    police = workbench.open(embedded_portal, "jinjiang.police", f"/workbench/payments?case_no={fee_case}")
    order = police.locator("li.wb-order").filter(has_text="待缴费")
    for _ in range(60):  # its order is made and notified in the background
        if order.count():
            break
        time.sleep(1)
        police.reload()
    order.locator("summary", has_text=re.compile("^减免重开")).click()
    audit(police, "payment orders")
    order.get_by_label("减免金额（元）").fill("abc")
    with police.expect_navigation() as refused:
        order.get_by_role("button", name=re.compile("^重新开具订单")).click()
    assert refused.value.status == 422
    expect(police.locator("#form-errors")).to_be_visible()
    audit(police, "payment orders with errors")
    finance = workbench.open(embedded_portal, "jinjiang.policeadmin", "/workbench/reconciliation")
    audit(finance, "reconciliation")
    tenant = workbench.open(embedded_portal, "jinjiang.admin", "/workbench/reconciliation")
    audit(tenant, "reconciliation with the day form")
    tenant.get_by_label("对账日期").fill("")
    assert _post(tenant, "对账") == 422
    audit(tenant, "reconciliation with errors", phone=False)

    # 评价与差评整改 with a bad review to call back (refused), 申诉 of the department admin, 申诉审核
    bad = _rated_case(embedded_gateway, login, level=1)
    clerk.goto(embedded_portal + "/workbench/ratings")
    card = clerk.locator("li.wb-rectification").filter(has_text=bad)
    card.locator("summary", has_text=re.compile("^回访")).click()
    audit(clerk, "ratings and rectifications")
    with clerk.expect_navigation() as refused:
        card.get_by_role("button", name=re.compile("^记录回访")).click()
    assert refused.value.status == 422
    audit(clerk, "ratings and rectifications with errors", phone=False)
    dept = workbench.open(embedded_portal, "jinjiang.deptadmin", "/workbench/ratings")
    rating = dept.locator("li.wb-rating").filter(has_text=bad)
    rating.locator("summary", has_text=re.compile("^申诉")).click()
    rating.get_by_label("申诉理由").fill("评价内容与本办件无关")
    rating.get_by_label("证据").fill("窗口录音显示按时办结")
    with dept.expect_navigation():
        rating.get_by_role("button", name=re.compile("^提交申诉")).click()
    audit(dept, "ratings with an appeal (message)")
    dept.goto(embedded_portal + "/workbench/appeals")
    audit(dept, "appeals of the department")
    tenant.goto(embedded_portal + "/workbench/appeals")
    appeal = tenant.locator("ul.wb-pending li.wb-appeal").filter(has_text=bad)
    appeal.locator("summary", has_text=re.compile("^审核")).click()
    audit(tenant, "appeals to decide")
    with tenant.expect_navigation() as refused:
        appeal.get_by_role("button", name=re.compile("^提交审核结果")).click()
    assert refused.value.status == 422
    audit(tenant, "appeals with errors", phone=False)
    audit.done()


def test_admin_pages_pass_axe(embedded_portal, workbench, audit) -> None:  # type: ignore[no-untyped-def]
    admin = workbench.open(embedded_portal, "jinjiang.admin", "/admin/")
    audit(admin, "admin overview")
    for path, what in (
        ("/admin/departments", "departments"),
        ("/admin/staff", "staff"),
        ("/admin/items", "items"),
    ):
        admin.goto(embedded_portal + path)
        audit(admin, what)
    admin.goto(embedded_portal + "/admin/departments/new")
    assert _post(admin, "创建部门") == 422
    audit(admin, "new department with errors", phone=False)
    admin.goto(embedded_portal + "/admin/staff/new")
    assert _post(admin, "创建账号") == 422
    audit(admin, "new staff member with errors", phone=False)
    admin.goto(embedded_portal + "/admin/evaluation")
    audit(admin, "evaluation settings")
    admin.get_by_label("差评回访时限（工作日）").fill("9")
    assert _post(admin, "保存设置") == 422  # out of range: nothing is saved
    audit(admin, "evaluation settings with errors", phone=False)

    # the guide edit form, and re-rendered with errors found before anything is saved
    dept = workbench.open(embedded_portal, "jinjiang.deptadmin", "/admin/items")
    with dept.expect_navigation():
        dept.locator("table a").first.click()
    audit(dept, "item", phone=False)
    with dept.expect_navigation():
        dept.get_by_role("link", name="编辑办事指南").click()
    audit(dept, "guide edit form")
    field(dept, "visits").fill("11")
    field(dept, "form_schema").fill('{"type": "object",')
    with dept.expect_navigation() as refused:
        dept.click(".sticky-actions button[value=save]")
    assert refused.value and refused.value.status == 422
    expect(dept.locator('[id="e-visits"]')).to_be_visible()
    audit(dept, "guide edit form with errors")
    audit.done()


def _focused(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUSED)


def _focus_shows(page: Page) -> dict[str, Any]:
    """The focused element, asserting that it has a visible outline."""
    focused = _focused(page)
    assert focused["outline"] != "none" and focused["width"] >= 2, f"no visible focus outline: {focused}"
    return focused


def _tab_to(page: Page, selector: str, limit: int = 150) -> int:
    """Press Tab until the focused element matches `selector`; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} Tab presses (focus on {_focused(page)})")


def _type(page: Page, text: str) -> None:
    """Replace the focused field's text by typing."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_skip_link_is_the_first_tab_stop_and_focus_is_visible(embedded_portal, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/")
    page.keyboard.press("Tab")
    focused = _focus_shows(page)
    assert "skip-link" in focused["cls"] and focused["text"] == "跳到主要内容", focused
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # the next stop is the first control of the content, not the header
    assert _focus_shows(page)["id"] == "cz-q"
    page.keyboard.press("Shift+Tab")
    assert _focus_shows(page)["tag"] == "a"  # the last link of the navigation, outlined on the red header


def test_search_and_open_a_guide_with_the_keyboard(embedded_portal, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/")
    _tab_to(page, "#cz-q")
    page.keyboard.type("gtgsh")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/search\?q=gtgsh", page.url)
    _tab_to(page, ".cz-results > li:first-child h2 a")
    assert _focus_shows(page)["text"] == ITEM
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(ITEM)
    _tab_to(page, "a[href='#g-materials']")  # the guide's contents lead to the section
    page.keyboard.press("Enter")
    assert page.url.endswith("#g-materials")
    _tab_to(page, "#g-materials .table-wrap")  # the wide table can be scrolled from the keyboard
    _focus_shows(page)


def test_apply_with_the_keyboard_only(embedded_portal, new_page, issuer_login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/search?q=gtgsh")
    page.goto(embedded_portal + page.locator(".cz-results a").first.get_attribute("href"))
    _tab_to(page, "a.button[href$='/apply']")
    page.keyboard.press("Enter")
    issuer_login(page, CITIZEN)  # the issuer's form: typed, sent with Enter
    page.wait_for_url(re.compile(r"/apply$"))

    # the form typed but the operator's ID number (not in FORM), the first material chosen with Space
    for name, value in FORM.items():
        _tab_to(page, f'[id="f-{name}"]')
        _focus_shows(page)
        _type(page, value)
    _tab_to(page, '[id="f-material.0"]')
    expect(page.locator('[id="f-material.0"]')).to_be_focused()
    for attempt in range(3):  # a key press can be lost while a loaded machine opens the dialog
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    chooser.value.set_files({"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _tab_to(page, "form.cz-apply button[type=submit]")
    _focus_shows(page)
    with page.expect_navigation() as refused:
        page.keyboard.press("Enter")
    assert refused.value and refused.value.status == 422

    # the focus is on the error summary; its link leads to the field
    expect(page.locator("#form-errors")).to_be_focused()
    _focus_shows(page)
    for name, value in FORM.items():
        expect(field(page, name)).to_have_value(value)
    screenshot(page, "errors")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "请填写经营者身份证号码。"
    page.keyboard.press("Enter")
    expect(field(page, "form.id_number")).to_be_focused()
    _focus_shows(page)
    label = page.locator('label[for="f-form.id_number"]').bounding_box()
    assert label and label["y"] >= 0, f"the field's label is scrolled out of view: {label}"
    page.keyboard.type(ID_NUMBER)

    _tab_to(page, "form.cz-apply button[type=submit]")
    with page.expect_navigation() as sent:
        page.keyboard.press("Enter")
    assert sent.value and sent.value.status == 200
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("办件编号")
    screenshot(page, "sent")


UNDER_THE_BAR = """() => {
  const e = document.activeElement, bar = document.querySelector('.sticky-actions');
  if (bar.contains(e)) return 'bar';
  const r = e.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return r.top >= b.top - 1 ? (e.id || e.tagName.toLowerCase()) : '';
}"""


def test_focus_is_not_hidden_under_the_sticky_buttons(embedded_portal, workbench) -> None:  # type: ignore[no-untyped-def]
    """WCAG 2.4.11: tabbing through the long guide form, no field disappears behind its sticky save bar."""
    page = workbench.open(embedded_portal, "jinjiang.deptadmin", "/admin/items", width=1000)
    page.set_viewport_size({"width": 1000, "height": 700})
    with page.expect_navigation():
        page.locator("table a").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="编辑办事指南").click()
    hidden = []
    for _ in range(400):
        page.keyboard.press("Tab")
        where = page.evaluate(UNDER_THE_BAR)
        if where == "bar":
            break
        if where:
            hidden.append(where)
    else:
        raise AssertionError("the save buttons were not reached with 400 Tab presses")
    assert not hidden, f"focused but hidden under the sticky buttons: {hidden}"


SAMPLES = """
<div id="a11y-samples" class="panel">
  <p class="flash flash-success">申请已提交 <a href="#a11y-samples">查看</a></p>
  <p class="flash flash-info">部分事项暂不可办 <span class="muted">说明</span></p>
  <p class="flash flash-error">请按提示修改 <a href="#a11y-samples">请填写姓名。</a></p>
  <p><span class="badge">可选</span> <span class="badge badge-ok">零跑动</span>
     <span class="badge badge-warn">必要</span> <span class="badge badge-bad">缺少</span></p>
  <p class="wb-deadline"><span class="badge deadline-green"><span class="deadline-mark" aria-hidden="true">✓</span>剩余 3 个工作日</span>
     <span class="badge deadline-yellow"><span class="deadline-mark" aria-hidden="true">◔</span>今日到期</span>
     <span class="badge deadline-red"><span class="deadline-mark" aria-hidden="true">!</span>已超期 2 个工作日</span>
     <span class="deadline-day">2026-01-05 到期</span></p>
  <p class="hint">提示</p><p class="field-message">请填写不予受理的理由。</p><p class="muted">说明</p>
</div>"""
TEXTS = """() => [...document.querySelectorAll('#a11y-samples *')].filter(e => !e.closest('[aria-hidden=true]')
  && [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())).length"""


def test_badges_and_messages_have_readable_contrast(embedded_portal, workbench, audit) -> None:  # type: ignore[no-untyped-def]
    """Every badge, deadline colour and message kind of the stylesheet, on the white panel of each area."""
    pages = {
        "citizen": workbench.new_page(),
        "workbench": workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/"),
    }
    pages["citizen"].goto(embedded_portal + "/")
    admin = pages["admin"] = pages["workbench"].context.new_page()
    admin.goto(embedded_portal + "/admin/")
    problems = []
    for area, page in pages.items():
        expect(page.locator(f"body.area-{area}")).to_be_attached()
        page.evaluate(
            "html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", SAMPLES
        )
        result = audit.axe.run(
            page,
            context={"include": [["#a11y-samples"]]},
            options={
                "runOnly": {"type": "rule", "values": ["color-contrast"]},
                "resultTypes": ["passes", "incomplete"],
            },
        ).response
        measured = [n for v in result["passes"] for n in v["nodes"]]
        unsure = [n for v in result["incomplete"] for n in v["nodes"] if "deadline-mark" not in n["html"]]
        if result["violations"]:
            problems.append(f"{area}:\n{audit.report(result['violations'])}")
        texts = page.evaluate(TEXTS)
        if unsure or len(measured) < texts:
            problems.append(f"{area}: {len(measured)} of {texts} texts measured; unsure: {unsure}")
    assert not problems, "\n".join(problems)
