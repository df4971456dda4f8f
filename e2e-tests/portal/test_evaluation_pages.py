"""好差评 in a browser on the embedded platform: 张三 rates his completed 个体工商户 case 非常不满意 on its page
(refused first without a level, the comment kept); the window clerk sees the bad review with the rater masked,
is refused a too-short callback, records the callback, then the result; the department admin sees the rater in
full; 张三 confirms the rectification on 我的评价 and follows his rating up once; the department admin appeals
another bad review and the tenant admin upholds the appeal on 申诉审核 (the rating kept, not counted); the
tenant admin changes a 好差评 setting after a value out of range is refused next to its field."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Locator, Page, expect

from ywtb.common.testing.case_flow import completed_case, ok
from ywtb.common.testing.demo import CITIZEN

EVALUATION = "/api/v1/evaluation"
COMMENT = "窗口等候时间太长，叫号系统不提示"
NOTE = "已电话回访，申请人反映午间高峰期只开一个窗口"
RESULT = "午间增开一个综合窗口，叫号系统增加短信提醒"


def _open_to_rating(gateway: httpx.Client, login, case_no: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the completed case is open to its applicant's rating (the services work in the background)."""
    citizen = login(gateway, CITIZEN)
    deadline = time.monotonic() + 60
    while True:
        reply = gateway.get(f"{EVALUATION}/cases/{case_no}/ratings", headers=citizen)
        if reply.status_code == 200 and reply.json()["rateable"]:
            return
        assert time.monotonic() < deadline, f"{case_no} not open to rating within 60 s: {reply.text}"
        time.sleep(0.5)


def _submit(page: Page, scope: Locator, button: str) -> int:
    """Click the scope's submit button; the status of the page that answered (after a redirect, 200)."""
    with page.expect_navigation() as done:
        scope.get_by_role("button", name=re.compile(f"^{button}")).click()
    return done.value.status if done.value else 0


def test_a_bad_review_is_called_back_rectified_and_confirmed(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, new_page, issuer_login, workbench, screenshot
) -> None:
    case_no = completed_case(embedded_gateway, login)
    _open_to_rating(embedded_gateway, login, case_no)
    page = new_page()
    page.goto(f"{embedded_portal}/cases/{case_no}")
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(f"/cases/{case_no}$"))
    section = page.locator("#rating")
    expect(section.get_by_role("heading", level=2)).to_have_text("评价")
    expect(section).to_contain_text("评价自愿，不影响办理")
    for name in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        expect(section.get_by_label(name, exact=True)).not_to_be_checked()
    screenshot(page, "form")

    # without a level: refused next to the levels, the comment and the sub-indicator kept
    section.get_by_label("办事效率").select_option(label="非常不满意")
    section.get_by_label("评价内容").fill(COMMENT)
    assert _submit(page, section, "提交评价") == 422
    section = page.locator("#rating")
    expect(section.locator(".field-message")).to_have_text("请选择总体评价等级。")
    expect(section.get_by_label("评价内容")).to_have_value(COMMENT)
    expect(section.get_by_label("办事效率")).to_have_value("1")
    expect(page.locator("#form-errors")).to_be_focused()
    screenshot(page, "refused")

    section.get_by_label("非常不满意", exact=True).check()
    assert _submit(page, section, "提交评价") == 200
    expect(page.locator(".flash-success")).to_contain_text("办理部门将回访您并整改")
    section = page.locator("#rating")
    for fact in ("非常不满意", COMMENT, "办事效率：非常不满意", "待回访"):
        expect(section).to_contain_text(fact)
    expect(section.locator("summary", has_text="追评")).to_be_visible()
    expect(section.get_by_role("button", name=re.compile("^提交评价"))).to_have_count(0)
    screenshot(page, "rated")

    # the window clerk: the bad review with the rater masked; a callback too short, then recorded; the result
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/ratings")
    expect(clerk.locator("h1")).to_have_text("评价与差评整改")
    expect(clerk.get_by_role("link", name="评价与差评整改")).to_have_attribute("aria-current", "page")
    assert not clerk.get_by_role("link", name="申诉审核").count()  # appeals are the admins'
    card = clerk.locator("li.wb-rectification").filter(has_text=case_no)
    expect(card.locator(".wb-rater")).to_have_text("张*")
    for fact in (COMMENT, "待回访", "回访期限", "整改期限", "非常不满意"):
        expect(card).to_contain_text(fact)
    screenshot(clerk, "to-call")
    card.locator("summary", has_text=re.compile("^回访")).click()
    card.get_by_label("回访情况").fill("好")
    assert _submit(clerk, card, "记录回访") == 422
    card = clerk.locator("li.wb-rectification").filter(has_text=case_no)
    expect(card.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    expect(card.get_by_label("回访情况")).to_have_value("好")
    card.get_by_label("回访情况").fill(NOTE)
    assert _submit(clerk, card, "记录回访") == 200
    expect(clerk.locator(".flash-success")).to_have_text(f"已记录办件 {case_no} 差评的回访。")
    card = clerk.locator("li.wb-rectification").filter(has_text=case_no)
    expect(card).to_contain_text("已回访，待整改")
    expect(card).to_contain_text(NOTE)
    card.locator("summary", has_text=re.compile("^整改结果")).click()
    card.get_by_label("整改结果").fill(RESULT)
    assert _submit(clerk, card, "记录整改结果") == 200
    expect(clerk.locator(".flash-success")).to_contain_text(f"已记录办件 {case_no} 差评的整改结果")
    card = clerk.locator("li.wb-rectification").filter(has_text=case_no)
    expect(card).to_contain_text("已整改，待评价人确认")
    assert not card.locator("summary").count()  # nothing left for the department to do
    screenshot(clerk, "rectified")

    admin = workbench.open(embedded_portal, "jinjiang.deptadmin", "/workbench/ratings")
    card = admin.locator("li.wb-rectification").filter(has_text=case_no)
    expect(card.locator(".wb-rater")).to_have_text("张三")  # the department admin, who calls back, sees who

    # 张三 confirms on 我的评价, then follows the rating up once on the case page
    page.get_by_role("link", name="我的评价").click()
    expect(page.locator("h1")).to_have_text("我的评价")
    told = page.locator("#rectifications li").filter(has_text=case_no)
    expect(told).to_contain_text(RESULT)
    expect(told).to_contain_text(NOTE)
    told.get_by_label("满意，问题已解决").check()
    told.get_by_label("意见").fill("整改及时，谢谢")
    assert _submit(page, told, "提交确认") == 200
    expect(page.locator(".flash-success")).to_have_text("已确认整改结果，感谢您的监督。")
    told = page.locator("#rectifications li").filter(has_text=case_no)
    expect(told).to_contain_text("评价人已确认")
    expect(told.locator("form")).to_have_count(0)
    expect(page.locator("#my-ratings li").filter(has_text=case_no)).to_contain_text(COMMENT)
    screenshot(page, "confirmed")

    page.goto(f"{embedded_portal}/cases/{case_no}")
    section = page.locator("#rating")
    section.locator("summary", has_text="追评").click()
    section.get_by_label("满意", exact=True).check()
    section.get_by_label("评价内容").fill("整改后窗口等候明显缩短")
    assert _submit(page, section, "提交追评") == 200
    expect(page.locator(".flash-success")).to_have_text("已提交追评，感谢您的反馈。")
    section = page.locator("#rating")
    expect(section.get_by_role("heading", name="追评")).to_be_visible()
    expect(section).to_contain_text("整改后窗口等候明显缩短")
    expect(section.locator("summary", has_text="追评")).to_have_count(0)  # once
    screenshot(page, "followed-up")


def test_an_appeal_of_a_bad_review_is_upheld_by_the_tenant_admin(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot
) -> None:
    case_no = completed_case(embedded_gateway, login)
    _open_to_rating(embedded_gateway, login, case_no)
    body = {"level": 2, "comment": "与本办件无关的投诉内容", "channel": 1}
    citizen = login(embedded_gateway, CITIZEN)
    rating = ok(
        embedded_gateway.post(f"{EVALUATION}/cases/{case_no}/ratings", headers=citizen, json=body), 201
    )

    admin = workbench.open(embedded_portal, "jinjiang.deptadmin", "/workbench/ratings")
    expect(admin.get_by_role("link", name="申诉审核")).to_be_visible()
    card = admin.locator("li.wb-rating").filter(has_text=case_no)
    expect(card.locator(".wb-rater")).to_have_text("张三")
    card.locator("summary", has_text=re.compile("^申诉")).click()
    card.get_by_label("申诉理由").fill("评价内容与本办件无关，系误评")
    card.get_by_label("证据").fill("录")
    assert _submit(admin, card, "提交申诉") == 422
    card = admin.locator("li.wb-rating").filter(has_text=case_no)
    expect(card.locator(".field-message")).to_have_text("长度不能少于 2 个字符")
    expect(card.get_by_label("申诉理由")).to_have_value("评价内容与本办件无关，系误评")
    card.get_by_label("证据").fill("窗口录音及叫号记录（档案室 2026-12 卷）显示该办件按时办结")
    assert _submit(admin, card, "提交申诉") == 200
    expect(admin.locator(".flash-success")).to_contain_text(f"已提交对办件 {case_no} 评价的申诉")
    card = admin.locator("li.wb-rating").filter(has_text=case_no)
    expect(card).to_contain_text("申诉审核中")
    admin.get_by_role("link", name="申诉审核").click()
    mine = admin.locator("li.wb-appeal").filter(has_text=case_no)
    expect(mine).to_contain_text("待审核")
    assert not mine.locator("summary").count()  # the tenant admin decides
    screenshot(admin, "appealed")

    tenant = workbench.open(embedded_portal, "jinjiang.admin", "/workbench/appeals")
    expect(tenant.get_by_role("link", name="申诉审核")).to_have_attribute("aria-current", "page")
    card = tenant.locator("ul.wb-pending li.wb-appeal").filter(has_text=case_no)
    expect(card).to_contain_text("窗口录音及叫号记录")
    expect(card.get_by_role("heading")).to_have_text(f"办件 {case_no} · 不满意")
    card.locator("summary", has_text=re.compile("^审核")).click()
    card.get_by_label("审核意见").fill("经核查录音，评价与办件事实不符，申诉成立")
    assert _submit(tenant, card, "提交审核结果") == 422  # no outcome chosen
    card = tenant.locator("ul.wb-pending li.wb-appeal").filter(has_text=case_no)
    expect(card.locator(".field-message")).to_have_text("请选择审核结果。")
    expect(card.get_by_label("审核意见")).to_have_value("经核查录音，评价与办件事实不符，申诉成立")
    card.get_by_label("申诉成立").check()
    assert _submit(tenant, card, "提交审核结果") == 200
    expect(tenant.locator(".flash-success")).to_have_text(f"申诉成立：办件 {case_no} 的该评价不再计入指标。")
    decided = tenant.locator("ul.wb-decided li.wb-appeal").filter(has_text=case_no)
    expect(decided).to_contain_text("申诉成立")
    expect(decided).to_contain_text("经核查录音")
    screenshot(tenant, "upheld")

    kept = ok(
        embedded_gateway.get(
            f"{EVALUATION}/cases/{case_no}/ratings", headers=login(embedded_gateway, "jinjiang.admin")
        )
    )
    assert [(r["id"], r["excluded"]) for r in kept["ratings"]] == [(rating["id"], True)]
    admin.goto(embedded_portal + "/workbench/ratings")
    expect(admin.locator("li.wb-rectification").filter(has_text=case_no)).to_contain_text(
        "已撤销（申诉成立）"
    )
    expect(admin.locator("li.wb-rating").filter(has_text=case_no)).to_contain_text("不计入指标")


def test_the_tenant_admin_changes_a_setting_after_a_refusal(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot
) -> None:
    headers = login(embedded_gateway, "jinjiang.admin")
    before = ok(embedded_gateway.get(f"{EVALUATION}/settings", headers=headers))
    page = workbench.open(embedded_portal, "jinjiang.admin", "/admin/")
    page.get_by_role("link", name="好差评设置").click()
    expect(page.locator("h1")).to_have_text("好差评设置")
    expect(page.get_by_role("link", name="好差评设置")).to_have_attribute("aria-current", "page")
    table = page.locator("table.admin-indicators")
    for figure in ("主动评价率", "好评率", "差评整改率", "满意度"):
        expect(table).to_contain_text(figure)
    expect(page.get_by_label("差评回访时限（工作日）")).to_have_value(str(before["callback_workdays"]))
    try:
        page.get_by_label("差评回访时限（工作日）").fill("9")
        page.get_by_label("差评整改时限（工作日）").fill("12")
        assert _submit(page, page.locator("main form"), "保存设置") == 422
        callback = page.get_by_label("差评回访时限（工作日）")
        expect(callback).to_have_value("9")
        expect(callback).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#e-callback_workdays")).to_have_text("差评回访时限须为 1 至 5 个工作日。")
        expect(page.get_by_label("差评整改时限（工作日）")).to_have_value("12")
        screenshot(page, "refused")
        callback.fill("2")
        assert _submit(page, page.locator("main form"), "保存设置") == 200
        expect(page.locator(".flash-success")).to_have_text("已保存好差评设置。")
        expect(page.get_by_label("差评回访时限（工作日）")).to_have_value("2")
        saved = ok(embedded_gateway.get(f"{EVALUATION}/settings", headers=headers))
        assert (saved["callback_workdays"], saved["rectify_workdays"]) == (2, 12)
        screenshot(page, "saved")
    finally:  # the other tests' rectifications keep the default limits
        rules = {k: v for k, v in before.items() if k != "tenant"}
        ok(embedded_gateway.put(f"{EVALUATION}/settings", headers=headers, json=rules))
