"""The admin pages (管理端) in a browser on the embedded platform: the tenant admin creates a department
(a wrong credit code refused with its message, values kept) and a staff member (a taken username refused);
the department admin claims a basic item, edits its guide (promised > legal refused on submit, values
kept) and submits it; the tenant admin returns it with a reason, the department resubmits, the tenant
admin approves and publishes it, and the public search on the portal finds it."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from ywtb.common.codes import make_credit_code

# 重要工业产品生产许可证核发: in the sample basic catalogue, claimed by no department (sample data).
BASIC_CODE = "000107001000"
ITEM_NAME = "重要工业产品生产许可证核发"
DEPT_NAME = "成都市锦江区应急管理局（测试）"
GOOD_CODE = make_credit_code("11510104MB8234567")
BAD_CODE = GOOD_CODE[:17] + ("1" if GOOD_CODE[17] != "1" else "2")  # wrong check character
SAVE = ".sticky-actions button[value=save]"
SAVE_SUBMIT = ".sticky-actions button[value=submit]"
SCHEMA = '{"type": "object", "required": ["company"], "properties": {"company": {"type": "string", "title": "企业名称"}}}'


def field(name: str) -> str:
    """The selector of a form input (ids hold dots: materials.0.name)."""
    return f'[id="f-{name}"]'


def staff_login(page: Page, portal: str, username: str, issuer_login, path: str = "/admin/") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{portal}/login?area=staff&next={path}")
    issuer_login(page, username)
    expect(page.locator("header")).to_contain_text("政务服务管理端")


def post_status(page: Page, click: str) -> int:
    """Click a submit button and return the HTTP status of the page the POST answered with."""
    with page.expect_navigation() as navigation:
        page.click(click)
    response = navigation.value
    # a PRG answer is a redirect: the first response of the chain tells
    request = response.request if response else None
    while request is not None and request.redirected_from is not None:
        request = request.redirected_from
    first = request.response() if request is not None else None
    return first.status if first else 0


def test_tenant_admin_creates_a_department_and_a_staff_member(
    embedded_portal: str, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    staff_login(page, embedded_portal, "jinjiang.admin", issuer_login)
    expect(page.locator("h1")).to_contain_text("锦江区")
    expect(page.locator("main")).to_contain_text("地区管理员")
    screenshot(page, "overview")

    page.goto(f"{embedded_portal}/admin/departments/new")
    page.fill(field("credit_code"), BAD_CODE)
    page.fill(field("name"), DEPT_NAME)
    page.fill(field("short_name"), "区应急局")
    assert post_status(page, "button:has-text('创建部门')") == 422
    expect(page.locator("#e-credit_code")).to_contain_text("统一社会信用代码校验位不正确")
    expect(page.locator(field("credit_code"))).to_have_attribute("aria-invalid", "true")
    expect(page.locator(field("name"))).to_have_value(DEPT_NAME)
    expect(page.locator(field("short_name"))).to_have_value("区应急局")
    expect(page.locator(field("credit_code"))).to_have_value(BAD_CODE)
    screenshot(page, "department-bad-code")

    page.fill(field("credit_code"), GOOD_CODE)
    assert post_status(page, "button:has-text('创建部门')") == 303
    expect(page.locator(".flash-success")).to_contain_text(f"已创建部门：{DEPT_NAME}")
    expect(page.locator("table")).to_contain_text(GOOD_CODE)

    page.goto(f"{embedded_portal}/admin/staff/new")
    page.fill(field("name"), "吴应急")
    page.fill(field("username"), "jinjiang.clerk")
    page.select_option(field("dept"), GOOD_CODE)
    page.check("input[name=roles][value=window_clerk]")
    page.fill(field("mobile"), "13912345678")
    page.fill(field("initial_password"), "Start2026ok")
    assert post_status(page, "button:has-text('创建账号')") == 409
    expect(page.locator("#e-username")).to_contain_text("该登录名已被使用")
    expect(page.locator(field("name"))).to_have_value("吴应急")
    expect(page.locator(field("dept"))).to_have_value(GOOD_CODE)
    expect(page.locator("input[name=roles][value=window_clerk]")).to_be_checked()
    expect(page.locator(field("mobile"))).to_have_value("13912345678")
    expect(page.locator(field("initial_password"))).to_have_value("")  # never sent back to the browser
    expect(page.locator("#e-initial_password")).to_contain_text("请重新输入初始密码")

    page.fill(field("username"), "jinjiang.wu")
    page.fill(field("initial_password"), "Start2026ok")
    assert post_status(page, "button:has-text('创建账号')") == 303
    expect(page.locator(".flash-success")).to_contain_text("jinjiang.wu")
    expect(page.locator("table")).to_contain_text("吴应急")
    expect(page.locator("table")).to_contain_text("窗口受理人员")
    screenshot(page, "staff-created")


def fill_guide(page: Page, promised: str) -> None:
    """Every element a submit needs, with the promised limit given."""
    page.fill(field("conditions"), "取得营业执照；具有与所生产产品相适应的生产条件和检验手段。")
    page.fill(field("keywords"), "生产许可证 工业产品")
    page.select_option(field("case_type"), "CASE_TYPE_PROMISED")
    page.fill(field("legal_limit.value"), "20")
    page.fill(field("promised_limit.value"), promised)
    page.fill(field("visits"), "0")
    page.select_option(field("online_depth"), "6")
    page.check("input[name=service_objects][value=SERVICE_OBJECT_LEGAL_PERSON]")
    page.fill(field("themes"), "准营准办")
    page.fill(field("place"), "锦江区政务服务中心二楼 8号窗口")
    page.fill(field("hours"), "工作日 9:00-17:00")
    page.fill(field("consult_phone"), "028-86600101")
    page.fill(field("complaint_phone"), "12345")
    page.fill(field("result.name"), "全国工业产品生产许可证")
    page.fill(field("materials.0.name"), "生产许可申请书")
    page.fill(field("materials.0.standard"), "加盖公章")
    page.fill(field("form_schema"), SCHEMA)


def test_item_claimed_edited_reviewed_and_published(
    embedded_portal: str, embedded_gateway: httpx.Client, new_page, issuer_login, screenshot
) -> None:  # type: ignore[no-untyped-def]
    dept = new_page()
    staff_login(dept, embedded_portal, "jinjiang.deptadmin", issuer_login)
    dept.goto(f"{embedded_portal}/admin/basic-items?q=工业产品")
    row = dept.locator("tr", has_text=BASIC_CODE)
    expect(row).to_contain_text(ITEM_NAME)
    screenshot(dept, "basic-items")
    with dept.expect_navigation():
        row.locator("button:has-text('认领')").click()
    expect(dept.locator(".flash-success")).to_contain_text(f"已认领「{ITEM_NAME}」")
    expect(dept.locator("h1")).to_contain_text("编辑办事指南")
    edit_url = dept.url
    item_url = edit_url.removesuffix("/edit")

    # a rule of the catalogue: the promised limit may not exceed the legal one
    fill_guide(dept, promised="30")
    assert post_status(dept, SAVE_SUBMIT) == 422
    expect(dept.locator("#form-errors")).to_contain_text("未能上报")
    expect(dept.locator('[id="e-promised_limit.value"]')).to_contain_text("不能超过法定办结时限")
    expect(dept.locator(field("promised_limit.value"))).to_have_value("30")
    expect(dept.locator(field("conditions"))).to_have_value(
        "取得营业执照；具有与所生产产品相适应的生产条件和检验手段。"
    )
    expect(dept.locator(field("materials.0.name"))).to_have_value("生产许可申请书")
    expect(dept.locator(field("online_depth"))).to_have_value("6")
    expect(dept.locator("input[name=service_objects][value=SERVICE_OBJECT_LEGAL_PERSON]")).to_be_checked()
    expect(dept.locator(field("form_schema"))).to_have_value(SCHEMA)
    screenshot(dept, "guide-rule-violated")

    # more material rows without JavaScript: what was typed stays
    assert post_status(dept, "button:has-text('增加材料行')") == 200
    expect(dept.locator(field("materials.5.name"))).to_be_visible()
    expect(dept.locator(field("materials.0.name"))).to_have_value("生产许可申请书")
    expect(dept.locator(field("promised_limit.value"))).to_have_value("30")

    # a malformed form schema is caught before anything is sent
    dept.fill(field("form_schema"), '{"type": "object",')
    assert post_status(dept, SAVE) == 422
    expect(dept.locator('[id="e-form_schema"]')).to_contain_text("申请表单不是有效的 JSON")
    expect(dept.locator(field("form_schema"))).to_have_value('{"type": "object",')

    dept.fill(field("form_schema"), SCHEMA)
    dept.fill(field("promised_limit.value"), "10")
    assert post_status(dept, SAVE_SUBMIT) == 303
    expect(dept.locator(".flash-success")).to_contain_text("已上报审核")
    expect(dept.locator("h1")).to_contain_text("已上报待审核")

    admin = new_page()
    staff_login(admin, embedded_portal, "jinjiang.admin", issuer_login, "/admin/items?status=submitted")
    with admin.expect_navigation():
        admin.click(f"a:has-text('{ITEM_NAME}')")
    assert admin.url == item_url
    assert post_status(admin, "button:has-text('退回修改')") == 422
    expect(admin.locator("#e-return_reason")).to_contain_text("请填写退回原因")
    admin.fill(field("return_reason"), "请补充收费依据和现场核查说明。")
    assert post_status(admin, "button:has-text('退回修改')") == 303
    expect(admin.locator(".flash-success")).to_contain_text("已退回部门修改")
    screenshot(admin, "returned")

    dept.goto(item_url)
    expect(dept.locator("main")).to_contain_text("退回原因：请补充收费依据和现场核查说明。")
    assert post_status(dept, "button:has-text('上报审核')") == 303
    expect(dept.locator(".flash-success")).to_contain_text("已上报审核")

    admin.goto(item_url)
    assert post_status(admin, "button:has-text('审核通过')") == 303
    expect(admin.locator(".flash-success")).to_contain_text("已审核通过")
    admin.on("dialog", lambda dialog: dialog.accept())
    assert post_status(admin, "button:has-text('发布')") == 303
    expect(admin.locator(".flash-success")).to_contain_text("已发布")
    expect(admin.locator("h1")).to_contain_text("已发布")
    expect(admin.locator("#h-versions + .table-wrap")).to_contain_text("v1")
    screenshot(admin, "published")

    # citizens find it: the gateway's search and the portal's search page
    hits = embedded_gateway.get("/api/v1/catalog/search", params={"q": ITEM_NAME}).json()["hits"]
    assert any(hit["name"] == ITEM_NAME and hit["dept_name"] == "成都市锦江区市场监督管理局" for hit in hits)
    public = new_page()
    public.goto(f"{embedded_portal}/search?q={ITEM_NAME}")
    expect(public.locator("main a", has_text=ITEM_NAME)).to_be_visible()
    screenshot(public, "public-search")

    # withdrawn: citizens no longer find it
    admin.fill(field("withdraw_reason"), "基本目录调整，暂停办理。")
    assert post_status(admin, "button:has-text('撤回')") == 303
    expect(admin.locator(".flash-success")).to_contain_text("已撤回")
    expect(admin.locator("h1")).to_contain_text("已撤回")
    hits = embedded_gateway.get("/api/v1/catalog/search", params={"q": ITEM_NAME}).json()["hits"]
    assert all(hit["name"] != ITEM_NAME for hit in hits)


def test_admin_pages_at_phone_width(embedded_portal: str, new_page, issuer_login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width=375)
    staff_login(page, embedded_portal, "jinjiang.deptadmin", issuer_login, "/admin/items")
    for path in ("/admin/", "/admin/items", "/admin/basic-items?q=医疗器械"):
        page.goto(embedded_portal + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.click("a:has-text('事项管理')")
    page.click("table a >> nth=0")
    page.click("a:has-text('编辑办事指南')")
    page.fill(field("visits"), "11")
    assert post_status(page, SAVE) == 422
    expect(page.locator("#e-visits")).to_contain_text("请填写0至10之间的整数")
    expect(page.locator(field("visits"))).to_have_value("11")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "guide-edit-375")


def test_refusals_show_as_chinese_messages(
    embedded_portal: str, embedded_gateway: httpx.Client, new_page, issuer_login
) -> None:  # type: ignore[no-untyped-def]
    clerk = new_page()
    clerk.goto(f"{embedded_portal}/login?area=staff&next=/admin/")
    issuer_login(clerk, "jinjiang.clerk")
    expect(clerk.locator("main")).to_contain_text("管理端仅供地区管理员和部门管理员使用")

    dept = new_page()
    staff_login(dept, embedded_portal, "jinjiang.deptadmin", issuer_login)
    response = dept.goto(f"{embedded_portal}/admin/departments/new")
    assert response is not None and response.status == 403
    expect(dept.locator("main")).to_contain_text("该操作仅限地区管理员")
    # another department's item: the catalogue service refuses, the page says why
    hits = embedded_gateway.get("/api/v1/catalog/search", params={"q": "结婚登记"}).json()["hits"]
    other = next(hit for hit in hits if hit["dept_name"] == "成都市锦江区民政局")
    response = dept.goto(f"{embedded_portal}/admin/items/{other['item_id']}")
    assert response is not None and response.status == 403
    expect(dept.locator("main")).to_contain_text("您无权查看该部门未发布的事项")
    expect(dept.locator("header")).to_contain_text("政务服务管理端")
