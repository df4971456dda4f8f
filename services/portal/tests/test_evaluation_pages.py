"""好差评's pages against a stand-in gateway: the case page's 评价 section and 我的评价 of the citizen, the
workbench's 评价与差评整改 and 申诉审核, the admin's 好差评设置 — what each role sees, what is posted, and the
refusals next to the fields with what was typed kept."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.session import COOKIE, LocalSessionStore

CSRF = "csrf-token"
CASE_NO = "510104-20261201-000001"
EVAL = "/api/v1/evaluation"
CITIZEN = {"subject": "u-1", "tenant": "", "roles": ["citizen"], "name": "张三"}
CLERK = {"subject": "c-1", "tenant": "510104", "dept": "D1", "roles": ["window_clerk"], "name": "李受理"}
DEPT_ADMIN = {**CLERK, "subject": "d-1", "roles": ["dept_admin"], "name": "孙部门"}
TENANT_ADMIN = {**CLERK, "subject": "t-1", "dept": "D9", "roles": ["tenant_admin"], "name": "金锦江"}
CASE = {
    "case_no": CASE_NO,
    "item_id": "item-1",
    "item_version": 1,
    "item_name": "个体工商户设立登记",
    "status": "CASE_STATUS_ACCEPTED",
    "applicant": {"name": "张三", "applicant_type": 1, "id_type": "111", "id_number": "5101***123"},
    "channel": "CHANNEL_ONLINE",
    "materials": [],
    "submitted_at": "2026-12-01T02:00:00Z",
}
OPEN = {
    "case_no": CASE_NO,
    "stage": "STAGE_COMPLETION",
    "item_name": "个体工商户设立登记",
    "reached_at": "2026-12-01T03:00:00Z",
    "default_at": "2026-12-11T03:00:00Z",
    "rated": False,
}
RATING = {
    "id": "r1",
    "case_no": CASE_NO,
    "stage": "STAGE_COMPLETION",
    "tenant": "510104",
    "dept": "D1",
    "item_name": "个体工商户设立登记",
    "level": 1,
    "indicators": {"efficiency": 1, "convenience": 2},
    "comment": "窗口等候时间太长",
    "channel": 1,
    "follow_up": False,
    "system_default": False,
    "rater_name": "张*",
    "rater": "",
    "real_name": True,
    "created_at": "2026-12-01T04:00:00Z",
    "excluded": False,
    "excluded_reason": "",
    "rectification_id": "x1",
}
RECTIFICATION = {
    "id": "x1",
    "rating_id": "r1",
    "case_no": CASE_NO,
    "tenant": "510104",
    "dept": "D1",
    "status": "RECTIFICATION_STATUS_TO_CALL",
    "callback_due": "2026-12-02T04:00:00Z",
    "rectify_due": "2026-12-22T04:00:00Z",
    "callback_note": "",
    "result": "",
    "rater_verdict": "",
    "rater_comment": "",
    "callback_overdue": True,
    "rectify_overdue": False,
    "level": 1,
    "comment": "窗口等候时间太长",
}
APPEAL = {
    "id": "a1",
    "rating_id": "r2",
    "tenant": "510104",
    "dept": "D1",
    "reason": "评价与办件无关",
    "evidence": "窗口录音",
    "status": "APPEAL_STATUS_PENDING",
    "requested_by": "d-1",
    "created_at": "2026-12-02T02:00:00Z",
    "decided_by": "",
    "decision": "",
    "level": 2,
    "case_no": "510104-20261201-000002",
}
SETTINGS = {
    "tenant": "510104",
    "rate_at_receipt": False,
    "rate_at_acceptance": True,
    "default_after_days": 10,
    "default_level": 4,
    "callback_workdays": 1,
    "rectify_workdays": 15,
    "consultation_workdays": 5,
    "complaint_workdays": 7,
}
INDICATORS = {
    "rateable": 4,
    "rated": 3,
    "active_rate": 75,
    "ratings": 4,
    "good": 2,
    "good_rate": 50,
    "bad": 2,
    "rectified": 1,
    "rectification_rate": 50,
    "satisfaction": 66.67,
}


class Stand:
    """The gateway as the portal sees it: canned answers by "METHOD path", every request kept."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {
            f"GET /api/v1/cases/{CASE_NO}": httpx.Response(200, json=CASE),
            f"GET {EVAL}/cases/{CASE_NO}/ratings": httpx.Response(
                200, json={"ratings": [], "rateable": [OPEN]}
            ),
            f"GET {EVAL}/ratings/mine": httpx.Response(
                200, json={"ratings": [], "rectifications": [], "rateable": [OPEN]}
            ),
            f"GET {EVAL}/rectifications": httpx.Response(200, json=[RECTIFICATION]),
            f"GET {EVAL}/ratings": httpx.Response(200, json=[RATING]),
            f"GET {EVAL}/appeals": httpx.Response(200, json=[APPEAL]),
            f"GET {EVAL}/settings": httpx.Response(200, json=SETTINGS),
            f"GET {EVAL}/indicators": httpx.Response(200, json=INDICATORS),
            "GET /api/v1/tenants/510104/departments": httpx.Response(
                200, json=[{"credit_code": "D1", "name": "锦江区行政审批局", "short_name": "区审批局"}]
            ),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = self.answers.get(f"{request.method} {request.url.path}")
        if found is None:
            return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})
        return found

    def sent(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(method, path, JSON body) of every POST and PUT."""
        return [
            (r.method, r.url.path, json.loads(r.content))
            for r in self.requests
            if r.method in ("POST", "PUT")
        ]


def refusal(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "fields": fields or {}}})


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture
def signed_in(stand: Stand):  # type: ignore[no-untyped-def]
    """`signed_in(user, area)`: a client whose session holds the login of `user` in `area`."""
    store = LocalSessionStore()
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand))
    app = create_app(settings, gateway=gateway, store=store)

    def make(user: dict[str, Any], area: str = "staff") -> TestClient:
        login = {"access_token": "at", "refresh_token": "", "id_token": "", "expires_at": time.time() + 600}
        store.save(user["subject"], {"csrf": CSRF, "auth": {area: {**login, "me": user}}}, 600)
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, user["subject"])
        return client

    return make


def field_html(page: str, name: str) -> str:
    """The markup of the field (a div or fieldset) holding the input `f-<name>`."""
    at = page.index(f'id="f-{name}"')
    start = max(page.rfind('<div class="field', 0, at), page.rfind('<fieldset class="field', 0, at))
    end = page.index("</fieldset>" if page.startswith("<fieldset", start) else "</div>", at)
    return page[start:end]


def test_the_case_page_offers_a_voluntary_rating_of_the_stage_reached(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(CITIZEN, "citizen").get(f"/cases/{CASE_NO}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="rating"') :]
    assert "评价自愿，不影响办理" in section
    for level, name in ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")):
        assert f'value="{level}"' in section and f"> {name}</label>" in section
    for name in ("办事效率", "指南准确", "办事便捷", "平台好用"):
        assert name in section
    assert '<input type="hidden" name="channel" value="1">' in section
    assert 'action="/cases/510104-20261201-000001/ratings"' in section
    assert "2026-12-11" in section  # the default rating's day
    assert "required" not in field_html(page.text, "rate-completion-comment")
    assert '<a href="/ratings">我的评价</a>' in page.text


def test_a_rating_posts_the_level_indicators_and_comment(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/cases/{CASE_NO}/ratings"] = httpx.Response(201, json=RATING)
    citizen = signed_in(CITIZEN, "citizen")
    form = {
        "csrf": CSRF,
        "stage": "STAGE_COMPLETION",
        "channel": "1",
        "level": "1",
        "indicators.efficiency": "1",
        "indicators.guide_accuracy": "",
        "comment": " 窗口等候时间太长 ",
    }
    done = citizen.post(f"/cases/{CASE_NO}/ratings", data=form)
    assert (done.status_code, done.headers["location"]) == (303, f"/cases/{CASE_NO}#rating")
    assert stand.sent() == [
        (
            "POST",
            f"{EVAL}/cases/{CASE_NO}/ratings",
            {
                "level": 1,
                "indicators": {"efficiency": 1},
                "comment": "窗口等候时间太长",
                "channel": 1,
                "stage": "STAGE_COMPLETION",
                "follow_up": False,
            },
        )
    ]
    assert "办理部门将回访您并整改" in citizen.get(f"/cases/{CASE_NO}").text


def test_a_rating_without_a_level_is_refused_next_to_it_with_the_comment_kept(
    signed_in, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    citizen = signed_in(CITIZEN, "citizen")
    form = {"csrf": CSRF, "stage": "STAGE_COMPLETION", "comment": "还行", "indicators.usability": "4"}
    page = citizen.post(f"/cases/{CASE_NO}/ratings", data=form)
    assert page.status_code == 422 and not stand.sent()
    level = field_html(page.text, "rate-completion-level")
    assert "请选择总体评价等级。" in level and 'aria-invalid="true"' in level
    assert '<a href="#f-rate-completion-level">' in page.text
    assert "还行</textarea>" in page.text
    assert '<option value="4" selected>' in field_html(page.text, "rate-completion-usability")

    stand.answers[f"POST {EVAL}/cases/{CASE_NO}/ratings"] = refusal(
        422, "INVALID_ARGUMENT", "请检查", {"comment": "评价内容不能超过 500 字。"}
    )
    page = citizen.post(f"/cases/{CASE_NO}/ratings", data={**form, "level": "3"})
    assert page.status_code == 422
    assert "评价内容不能超过 500 字。" in field_html(page.text, "rate-completion-comment")


def test_a_second_rating_sent_is_told_on_the_case_page(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/cases/{CASE_NO}/ratings"] = refusal(
        409, "EVALUATION_ALREADY_RATED", "该办件此环节已评价；如需补充，请追评（仅一次）。"
    )
    citizen = signed_in(CITIZEN, "citizen")
    done = citizen.post(f"/cases/{CASE_NO}/ratings", data={"csrf": CSRF, "level": "5"})
    assert (done.status_code, done.headers["location"]) == (303, f"/cases/{CASE_NO}#rating")
    assert "该办件此环节已评价" in citizen.get(f"/cases/{CASE_NO}").text


def test_a_rated_case_shows_the_rating_its_rectification_and_a_follow_up_form(
    signed_in, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    rated = {**RATING, "rater_name": "张三"}
    rectified = {**RECTIFICATION, "status": "RECTIFICATION_STATUS_RECTIFIED", "result": "增开一个综合窗口"}
    stand.answers[f"GET {EVAL}/cases/{CASE_NO}/ratings"] = httpx.Response(
        200, json={"ratings": [rated], "rateable": [{**OPEN, "rated": True}]}
    )
    stand.answers[f"GET {EVAL}/ratings/mine"] = httpx.Response(
        200, json={"ratings": [rated], "rectifications": [rectified], "rateable": [{**OPEN, "rated": True}]}
    )
    citizen = signed_in(CITIZEN, "citizen")
    page = citizen.get(f"/cases/{CASE_NO}").text
    section = page[page.index('id="rating"') :]
    assert "非常不满意" in section and "窗口等候时间太长" in section and "办事效率：非常不满意" in section
    assert "已整改，待评价人确认" in section and "增开一个综合窗口" in section
    assert 'action="/ratings/rectifications/x1/confirmation"' in section
    assert '<input type="hidden" name="follow_up" value="yes">' in section
    assert 'value="STAGE_COMPLETION"' in section and "提交评价" not in section

    stand.answers[f"POST {EVAL}/rectifications/x1/confirmation"] = httpx.Response(200, json=rectified)
    form = {"csrf": CSRF, "back": f"/cases/{CASE_NO}", "satisfied": "yes", "comment": " 满意 "}
    done = citizen.post("/ratings/rectifications/x1/confirmation", data=form)
    assert (done.status_code, done.headers["location"]) == (303, f"/cases/{CASE_NO}#rating")
    assert stand.sent()[-1] == (
        "POST",
        f"{EVAL}/rectifications/x1/confirmation",
        {"satisfied": True, "comment": "满意"},
    )

    page = citizen.post("/ratings/rectifications/x1/confirmation", data={**form, "satisfied": ""})
    assert page.status_code == 422 and "请选择是否满意。" in field_html(page.text, "satisfied-x1")
    assert " 满意 </textarea>" in page.text  # as typed
    elsewhere = citizen.post(
        "/ratings/rectifications/x1/confirmation", data={**form, "back": "https://evil.test/"}
    )
    assert elsewhere.headers["location"] == "/ratings"


def test_my_ratings_lists_the_cases_to_rate_the_rectifications_and_the_ratings(
    signed_in, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    other = {**OPEN, "case_no": "510104-20261201-000009", "item_name": "食品经营许可（新办）"}
    rectified = {**RECTIFICATION, "status": "RECTIFICATION_STATUS_RECTIFIED", "result": "增开窗口"}
    stand.answers[f"GET {EVAL}/ratings/mine"] = httpx.Response(
        200,
        json={
            "ratings": [{**RATING, "rater_name": "张三"}],
            "rectifications": [rectified],
            "rateable": [{**OPEN, "rated": True}, other],
        },
    )
    page = signed_in(CITIZEN, "citizen").get("/ratings")
    assert page.status_code == 200 and "<h1>我的评价</h1>" in page.text
    assert '<a href="/cases/510104-20261201-000009#rating">食品经营许可（新办）（办结）</a>' in page.text
    assert (
        page.text.count('href="/cases/510104-20261201-000001#rating"') == 2
    )  # the rectification, the rating
    assert 'action="/ratings/rectifications/x1/confirmation"' in page.text
    assert '<input type="hidden" name="back" value="/ratings">' in page.text
    assert signed_in(CLERK).get("/ratings").status_code == 303  # the citizen's login is asked for


def test_the_clerk_calls_back_and_records_the_result_with_the_rater_masked(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    clerk = signed_in(CLERK)
    page = clerk.get("/workbench/ratings")
    assert page.status_code == 200
    assert '<a href="/workbench/ratings" aria-current="page">评价与差评整改</a>' in page.text
    assert "/workbench/appeals" not in page.text
    card = page.text[page.text.index('class="panel wb-task wb-rectification"') :]
    card = card[: card.index("</li>")]
    assert "待回访" in card and "张*" in card and "窗口等候时间太长" in card and "已逾期" in card
    assert 'action="/workbench/ratings/rectifications/x1/callback"' in card
    assert "/appeals" not in page.text.split("近期评价")[1]  # appeals are the department admins'
    stand.answers[f"POST {EVAL}/rectifications/x1/callback"] = httpx.Response(
        200, json={**RECTIFICATION, "status": "RECTIFICATION_STATUS_CALLED_BACK"}
    )
    note = {"csrf": CSRF, "note": " 已电话回访 "}
    done = clerk.post("/workbench/ratings/rectifications/x1/callback", data=note)
    assert (done.status_code, done.headers["location"]) == (303, "/workbench/ratings")
    assert stand.sent()[-1] == ("POST", f"{EVAL}/rectifications/x1/callback", {"note": "已电话回访"})
    assert f"已记录办件 {CASE_NO} 差评的回访。" in clerk.get("/workbench/ratings").text

    early = "该差评整改待回访，不能变为已整改，待评价人确认。"
    stand.answers[f"POST {EVAL}/rectifications/x1/result"] = refusal(409, "EVALUATION_STATE", early)
    page = clerk.post(
        "/workbench/ratings/rectifications/x1/result", data={"csrf": CSRF, "result": "增开窗口"}
    )
    assert page.status_code == 409 and html.escape(early) in page.text
    short = refusal(422, "INVALID_ARGUMENT", "请检查", {"result": "长度不能少于 2 个字符"})
    stand.answers[f"POST {EVAL}/rectifications/x1/result"] = short
    stand.answers[f"GET {EVAL}/rectifications"] = httpx.Response(
        200, json=[{**RECTIFICATION, "status": "RECTIFICATION_STATUS_CALLED_BACK"}]
    )
    page = clerk.post("/workbench/ratings/rectifications/x1/result", data={"csrf": CSRF, "result": "好"})
    assert page.status_code == 422
    assert "长度不能少于 2 个字符" in field_html(page.text, "result-x1") and "好</textarea>" in page.text


def test_the_dept_admin_appeals_and_the_tenant_admin_decides(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(DEPT_ADMIN)
    page = admin.get("/workbench/ratings").text
    assert 'action="/workbench/ratings/r1/appeals"' in page and "/workbench/appeals" in page
    stand.answers[f"POST {EVAL}/ratings/r1/appeals"] = httpx.Response(201, json=APPEAL)
    form = {"csrf": CSRF, "case_no": CASE_NO, "reason": "恶意差评", "evidence": "窗口录音"}
    done = admin.post("/workbench/ratings/r1/appeals", data=form)
    assert done.status_code == 303
    assert stand.sent()[-1] == (
        "POST",
        f"{EVAL}/ratings/r1/appeals",
        {"reason": "恶意差评", "evidence": "窗口录音"},
    )
    assert "待租户管理员审核" in admin.get("/workbench/ratings").text
    listed = admin.get("/workbench/appeals").text
    assert "评价与办件无关" in listed and "区审批局" in listed and "/decision" not in listed
    assert admin.post("/workbench/appeals/a1/decision", data={"csrf": CSRF}).status_code == 403
    assert signed_in(CLERK).get("/workbench/appeals").status_code == 403

    tenant = signed_in(TENANT_ADMIN)
    page = tenant.get("/workbench/appeals").text
    assert 'action="/workbench/appeals/a1/decision"' in page and "申诉成立：该评价不计入指标" in page
    refused = tenant.post("/workbench/appeals/a1/decision", data={"csrf": CSRF, "decision": "经核查属实"})
    assert refused.status_code == 422 and not [s for s in stand.sent() if "decision" in s[1]]
    assert (
        "请选择审核结果。" in field_html(refused.text, "approve-a1")
        and "经核查属实</textarea>" in refused.text
    )
    stand.answers[f"POST {EVAL}/appeals/a1/decision"] = httpx.Response(
        200, json={**APPEAL, "status": "APPEAL_STATUS_APPROVED"}
    )
    decision = {"csrf": CSRF, "case_no": APPEAL["case_no"], "approve": "yes", "decision": "经核查属实"}
    assert tenant.post("/workbench/appeals/a1/decision", data=decision).status_code == 303
    assert stand.sent()[-1] == (
        "POST",
        f"{EVAL}/appeals/a1/decision",
        {"approve": True, "decision": "经核查属实"},
    )
    assert (
        "申诉成立：办件 510104-20261201-000002 的该评价不再计入指标。"
        in tenant.get("/workbench/appeals").text
    )


def test_the_tenant_admin_keeps_the_settings_with_refusals_next_to_the_fields(
    signed_in, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(TENANT_ADMIN)
    page = admin.get("/admin/evaluation")
    assert (
        page.status_code == 200
        and '<a href="/admin/evaluation" aria-current="page">好差评设置</a>' in page.text
    )
    assert 'value="15"' in field_html(page.text, "rectify_workdays")
    assert re.search(r'id="f-rate_at_acceptance"[^>]*checked', page.text)
    assert not re.search(r'id="f-rate_at_receipt"[^>]*checked', page.text)
    assert '<td id="indicator-active_rate">75%</td>' in page.text and "66.67%" in page.text
    for name, label, value in (
        ("consultation_workdays", "咨询答复时限（工作日）", "5"),
        ("complaint_workdays", "投诉答复时限（工作日）", "7"),
    ):
        html = field_html(page.text, name)
        assert f'<label for="f-{name}">{label} <span class="required"' in html
        assert f'value="{value}"' in html and 'min="1" max="30"' in html and "1 至 30 个工作日" in html
    assert 'min="1" max="5"' in field_html(page.text, "callback_workdays")
    form = {
        "csrf": CSRF,
        "rate_at_acceptance": "1",
        "default_after_days": "十",
        "default_level": "4",
        "callback_workdays": "1",
        "rectify_workdays": "15",
        "consultation_workdays": "5",
        "complaint_workdays": "7",
    }
    page = admin.post("/admin/evaluation", data=form)
    assert page.status_code == 422 and not stand.sent()
    assert "请填写整数。" in field_html(page.text, "default_after_days")

    # out of their ranges: told next to each, as typed, nothing sent
    out = {"callback_workdays": "9", "consultation_workdays": "０", "complaint_workdays": "31"}
    page = admin.post("/admin/evaluation", data={**form, "default_after_days": "12", **out})
    assert page.status_code == 422 and not stand.sent()
    for name, typed, message in (
        ("callback_workdays", "9", "差评回访时限须为 1 至 5 个工作日。"),
        ("consultation_workdays", "０", "咨询答复时限须为 1 至 30 个工作日。"),
        ("complaint_workdays", "31", "投诉答复时限须为 1 至 30 个工作日。"),
    ):
        html = field_html(page.text, name)
        assert message in html and f'value="{typed}"' in html and 'aria-invalid="true"' in html, name
        assert f'<a href="#f-{name}">{message}</a>' in page.text
    assert "请填写整数。" not in page.text

    stand.answers[f"PUT {EVAL}/settings"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"complaint_workdays": "不能大于 30"}
    )
    page = admin.post(
        "/admin/evaluation",
        data={**form, "default_after_days": "１２", "callback_workdays": "2", "complaint_workdays": "３０"},
    )
    assert page.status_code == 422
    complaint = field_html(page.text, "complaint_workdays")
    assert "不能大于 30" in complaint and 'value="３０"' in complaint and 'aria-invalid="true"' in complaint
    assert stand.sent()[-1][2] == {
        "rate_at_receipt": False,
        "rate_at_acceptance": True,
        "default_after_days": 12,
        "default_level": 4,
        "callback_workdays": 2,
        "rectify_workdays": 15,
        "consultation_workdays": 5,
        "complaint_workdays": 30,
    }
    stand.answers[f"PUT {EVAL}/settings"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"tenant": "格式不正确"}
    )
    page = admin.post("/admin/evaluation", data={**form, "default_after_days": "12"})
    assert (
        page.status_code == 422 and "请求参数不正确" in page.text
    )  # a field the form lacks: told at the top
    assert "#f-tenant" not in page.text
    stand.answers[f"PUT {EVAL}/settings"] = httpx.Response(200, json=SETTINGS)
    done = admin.post("/admin/evaluation", data={**form, "default_after_days": "12"})
    assert (done.status_code, done.headers["location"]) == (303, "/admin/evaluation")
    assert "已保存好差评设置。" in admin.get("/admin/evaluation").text
    assert signed_in(DEPT_ADMIN).get("/admin/evaluation").status_code == 403
    assert "/admin/evaluation" not in signed_in(DEPT_ADMIN).get("/admin/").text
