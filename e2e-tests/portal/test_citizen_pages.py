"""The citizen pages in a browser on the embedded platform: search → guide → apply → 一次性告知 → 补正 → my cases.

Run: YWTB_E2E_PORT_OFFSET=<n> uv run pytest e2e-tests/portal/test_citizen_pages.py -x -q
"""

from __future__ import annotations

import re

from ywtb.common.codes import make_credit_code
from ywtb.common.testing.demo import CITIZEN, FORM_FIELDS, ID_NUMBER, ITEM, PDF
from ywtb.common.testing.pages import field, fill

FORM = {name: value for name, value in FORM_FIELDS.items() if name != "form.id_number"}


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def no_page_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def submit(page, button: str) -> int:  # type: ignore[no-untyped-def]
    """Click a submit button; the status of the page the POST answered with (after redirects)."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value.status


def test_search_guide_apply_deficiency_supplement_and_my_cases(
    embedded_portal, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/")
    assert page.locator("h1").inner_text() == "找服务，办事情"
    for entry in ("个人办事", "法人办事", "主题分类", "部门分类", "“一件事”集成服务"):
        assert page.get_by_text(entry, exact=True).first.is_visible(), entry
    assert page.get_by_role("link", name="出生一件事").is_visible()
    screenshot(page, "home")

    page.fill("#cz-q", "gtgsh")
    page.press("#cz-q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=gtgsh"))
    first = page.locator(".cz-results > li").first
    assert first.locator("h2").inner_text() == ITEM
    card = first.inner_text()
    for fact in ("成都市锦江区市场监督管理局", "行政许可 · 承诺件", "1 个工作日", "零跑动", "全程网办"):
        assert fact in card, fact
    screenshot(page, "search")

    first.get_by_role("link", name=ITEM).click()
    page.wait_for_url(re.compile(r"/items/[^/]+$"))
    guide_url = page.url
    assert page.locator("h1").inner_text() == ITEM
    text = page.locator("main").inner_text()
    for element in (
        "受理条件", "有经营能力的自然人", "法定办结时限", "3 个工作日", "承诺办结时限", "1 个工作日",
        "承诺件", "到现场次数", "0 次（零跑动）", "7 级：全程网办", "本事项不收费", "成都市锦江区政务服务中心",
        "028-86600101", "自然人", "开办企业", "营业执照", "常见问题", "个体工商户可以不起字号吗",
        "支持预约办理", "支持物流快递", "支持网上支付", "办理流程", "特别程序", "《促进个体工商户发展条例》",
    ):  # fmt: skip
        assert element in text, element
    materials = page.locator("table.cz-materials").inner_text()
    for element in (
        "个体工商户登记（备案）申请书",
        "必要",
        "原件",
        "申请人自备",
        "政府部门核发",
        "复印件",
        "经营者签字",
    ):
        assert element in materials, element
    # a blank form given only as a file name: its name and where to get it, no invented link
    assert "个体工商户登记（备案）申请书.docx" in materials and "可到办理窗口领取" in materials
    assert page.locator("table.cz-materials a").count() == 0
    assert page.get_by_text("申办需先登录").is_visible()
    screenshot(page, "guide")

    page.get_by_role("link", name="在线申办").first.click()
    page.wait_for_url(re.compile(r"/protocol/openid-connect/"))  # applying needs a login
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    assert page.locator("h1").inner_text() == f"在线申办：{ITEM}"
    assert field(page, "applicant.name").input_value() == "张三"
    assert field(page, "applicant.id_number").input_value() == ID_NUMBER
    key = page.locator("input[name=idempotency_key]").input_value()

    fill(page, FORM)  # the ID number of the form left empty
    field(page, "material.0").set_input_files(pdf("申请书.pdf"))
    assert submit(page, "提交申请") == 422
    assert page.locator("#e-form\\.id_number").inner_text() == "请填写经营者身份证号码。"
    assert "请填写经营者身份证号码。" in page.locator("#form-errors").inner_text()
    assert field(page, "form.id_number").get_attribute("aria-invalid") == "true"
    for name, value in FORM.items():
        assert field(page, name).input_value() == value, name
    uploaded = page.locator(".cz-material").first.inner_text()
    assert "已上传" in uploaded and "申请书.pdf" in uploaded  # the file is kept, not asked again
    assert page.locator("input[name=idempotency_key]").input_value() == key
    screenshot(page, "form-error")

    field(page, "form.id_number").fill(ID_NUMBER)
    field(page, "form.capital").fill("五万")
    assert submit(page, "提交申请") == 422
    assert page.locator("#e-form\\.capital").inner_text() == "资金数额（万元）应为数字，请重新填写。"
    assert field(page, "form.capital").input_value() == "五万"
    assert field(page, "form.id_number").input_value() == ID_NUMBER
    field(page, "form.capital").fill("5")
    assert submit(page, "提交申请") == 200  # 经营场所使用证明 (a main material) left out
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_no = page.locator("#case-no").inner_text()
    assert re.fullmatch(r"510104\d+", case_no)
    assert f"办件编号：{case_no}" in page.locator(".flash-success").inner_text()
    assert page.locator("#case-status").inner_text() == "待补正"
    notice = page.locator("#notice").inner_text()
    assert "补正告知书（一次性告知，第 1 次）" in notice and "经营场所使用证明" in notice
    assert "个体工商户登记（备案）申请书" in page.locator("main").inner_text()
    screenshot(page, "case-notice")

    assert submit(page, "提交补正材料") == 422  # no file chosen
    assert "请上传“经营场所使用证明”。" in page.locator("#notice").inner_text()
    page.locator("#notice input[type=file]").set_input_files(pdf("租赁合同.pdf"))
    assert submit(page, "提交补正材料") == 200
    assert "补正材料已提交" in page.locator(".flash-success").inner_text()
    assert page.locator("#case-status").inner_text() == "已申办，待受理"
    assert page.locator("#notice").count() == 0
    assert "补正后重新提交" in page.locator(".cz-timeline").inner_text()
    screenshot(page, "case-supplemented")

    page.get_by_role("link", name="我的办件").first.click()
    row = page.locator("tr", has=page.get_by_role("link", name=case_no))
    assert ITEM in row.inner_text() and "已申办，待受理" in row.inner_text()
    screenshot(page, "my-cases")

    page.locator("a[href^='/lang?to=en']").click()
    page.wait_for_url(re.compile(r"/cases$"))
    assert page.locator("h1").inner_text() == "My applications"
    assert "Submitted, awaiting acceptance" in page.locator("tr", has=page.get_by_text(case_no)).inner_text()
    page.goto(guide_url)
    text = page.locator("main").inner_text()
    for label in (
        "Materials",
        "Promised time limit",
        "1 working days",
        "No visit needed",
        "Apply online",
        "Fees",
    ):
        assert label in text, label
    screenshot(page, "guide-english")
    page.locator("a[href^='/lang?to=zh']").click()

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(guide_url)
    assert no_page_scroll(page)
    screenshot(page, "guide-375")
    page.goto(guide_url + "/apply")
    assert no_page_scroll(page)
    screenshot(page, "form-375")


def test_a_double_submit_makes_one_case(embedded_portal, new_page, issuer_login) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(embedded_portal + "/search?q=gtgsh")
    page.locator(".cz-results > li").first.get_by_role("link", name=ITEM).click()
    apply_url = page.url + "/apply"
    page.goto(apply_url)
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    posted = {
        "csrf": page.locator("input[name=csrf]").first.input_value(),
        "idempotency_key": page.locator("input[name=idempotency_key]").input_value(),
        "item_version": page.locator("input[name=item_version]").input_value(),
        "applicant.name": "张三",
        "applicant.id_number": ID_NUMBER,
        "form.id_number": ID_NUMBER,
        **FORM,
        "material.0": {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF},
    }
    first = page.request.post(apply_url, multipart=posted, max_redirects=0)
    again = page.request.post(apply_url, multipart=posted, max_redirects=0)
    assert first.status == again.status == 303
    assert first.headers["location"] == again.headers["location"]
    assert re.fullmatch(r"/cases/510104\d+", first.headers["location"])


def test_search_messages_and_bundles(embedded_portal, new_page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width=375, height=812)
    reply = page.goto(embedded_portal + "/search?object=somebody")
    assert reply.status == 422
    assert "服务对象只能选择“自然人”或“法人”" in page.locator("#form-errors").inner_text()
    assert page.locator("#f-object").get_attribute("aria-invalid") == "true"
    reply = page.goto(embedded_portal + "/search?dept=not-a-code&q=%E8%90%A5%E4%B8%9A")
    assert reply.status == 422 and "部门代码应为18位统一社会信用代码" in page.locator("main").inner_text()
    assert page.locator("#f-q").input_value() == "营业"  # the keyword is kept
    reply = page.goto(embedded_portal + "/search?q=zzqqxxkk")
    assert reply.status == 200 and page.get_by_text("没有找到符合条件的事项").is_visible()
    screenshot(page, "search-empty")

    page.goto(embedded_portal + "/search?object=legal_person&theme=%E5%BC%80%E5%8A%9E%E4%BC%81%E4%B8%9A")
    names = page.locator(".cz-results h2").all_inner_texts()
    assert "有限责任公司设立登记" in names and ITEM not in names  # 个体工商户设立登记 is for natural persons
    assert no_page_scroll(page)
    screenshot(page, "search-legal-375")

    page.goto(embedded_portal + "/bundles")
    page.get_by_role("link", name="企业开办一件事").click()
    text = page.locator("main").inner_text()
    assert "有限责任公司设立登记" in text and "合并材料清单" in text


def test_a_legal_person_agent_applies_for_the_company(
    embedded_portal, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(
        embedded_portal + "/search?q=%E6%9C%89%E9%99%90%E8%B4%A3%E4%BB%BB%E5%85%AC%E5%8F%B8%E8%AE%BE%E7%AB%8B"
    )
    page.get_by_role("link", name="有限责任公司设立登记").first.click()
    page.get_by_role("link", name="在线申办").first.click()
    issuer_login(page, CITIZEN)
    page.wait_for_url(re.compile(r"/apply$"))
    assert (
        page.locator("input[name='applicant.kind']").get_attribute("value") == "legal"
    )  # legal persons only
    assert field(page, "applicant.id_number").count() == 0
    credit_code = make_credit_code("91510104MA6234567")  # the demo enterprise (sample data)
    fill(
        page,
        {
            "applicant.org_name": "成都锦江示例商贸有限公司（示例数据）",
            "applicant.credit_code": "91510104MA6234567X",
            "form.company_name": "成都锦江示例商贸有限公司",
            "form.registered_capital": "100",
            "form.address": "成都市锦江区红星路二段2号",
            "form.business_scope": "日用百货批发",
            "form.legal_representative": "张三",
            "form.contact_mobile": "13800000001",
        },
    )
    assert submit(page, "提交申请") == 422
    assert "统一社会信用代码" in page.locator("#e-applicant\\.credit_code").inner_text()
    assert field(page, "form.company_name").input_value() == "成都锦江示例商贸有限公司"
    field(page, "applicant.credit_code").fill(credit_code)
    assert submit(page, "提交申请") == 200
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    facts = page.locator("main").inner_text()
    assert "成都锦江示例商贸有限公司（示例数据）（企业法人）" in facts and credit_code in facts
    screenshot(page, "legal-person-case")
