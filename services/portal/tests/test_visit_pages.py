"""一次一评's pages against a stand-in gateway: the visitor's rating page of a window visit by its QR code
(anonymous, or real-name when signed in) and on the window's tablet, the one 追评, lapsed and unknown codes;
the clerk's 窗口评价 (the QR code shown once, the visits with their status); each staff member's figures on the
tenant admin's and the department admin's pages; the token kept out of the access log."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import httpx
import pytest
import segno
from fastapi.testclient import TestClient

from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.hidden_keys import HIDDEN_KEYS
from ywtb.portal.session import COOKIE, LocalSessionStore

CSRF = "csrf-token"
EVAL = "/api/v1/evaluation"
TOKEN = "Vt3kQ9xPzL0aB7cD2eF5gH8iJ1kL4mN6"
CITIZEN = {"subject": "u-1", "tenant": "", "roles": ["citizen"], "name": "张三"}
CLERK = {"subject": "c-1", "tenant": "510104", "dept": "D1", "roles": ["window_clerk"], "name": "李受理"}
DEPT_ADMIN = {**CLERK, "subject": "d-1", "roles": ["dept_admin"], "name": "孙部门"}
TENANT_ADMIN = {**CLERK, "subject": "t-1", "dept": "D9", "roles": ["tenant_admin"], "name": "金锦江"}
VISIT = {
    "id": "v1",
    "tenant": "510104",
    "dept": "D1",
    "dept_name": "锦江区行政审批局",
    "window": "3号综合窗口",
    "staff": "",
    "staff_name": "李受理",
    "item_id": "item-1",
    "item_name": "个体工商户设立登记",
    "case_no": "",
    "status": "open",
    "created_at": "2026-12-01T02:00:00Z",
    "expires_at": "2099-12-08T02:00:00Z",
    "rated": False,
}
RATING = {"id": "r9", "visit_id": "v1", "case_no": "", "stage": "STAGE_VISIT", "level": 5, "follow_up": False}
FIGURES = {
    "rateable": 4,
    "rated": 3,
    "active_rate": 75,
    "ratings": 3,
    "good": 2,
    "good_rate": 66.67,
    "bad": 1,
    "rectified": 1,
    "rectification_rate": 100,
    "satisfaction": 80,
}


class Stand:
    """The gateway as the portal sees it: canned answers by "METHOD path", every request kept."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {
            f"GET {EVAL}/visits/{TOKEN}": httpx.Response(200, json=VISIT),
            f"GET {EVAL}/visits/mine": httpx.Response(
                200,
                json=[
                    {**VISIT, "id": "v2", "window": "5号窗口", "created_at": "2026-12-02T02:00:00Z"},
                    {
                        **VISIT,
                        "id": "v3",
                        "status": "rated",
                        "rated": True,
                        "case_no": "510104-20261201-000001",
                    },
                    {**VISIT, "id": "v4", "expires_at": "2025-12-08T02:00:00Z"},
                ],
            ),
            "GET /api/v1/catalog/items": httpx.Response(
                200,
                json=[
                    {"id": "item-1", "guide": {"name": "个体工商户设立登记"}, "published_version": 2},
                    {"id": "item-2", "guide": {"name": "草稿事项"}, "published_version": 0},
                ],
            ),
            f"GET {EVAL}/indicators/staff": httpx.Response(
                200,
                json=[
                    {"staff": "c-1", "indicators": FIGURES},
                    {"staff": "gone-1", "indicators": {**FIGURES, "bad": 0, "rectification_rate": 0}},
                ],
            ),
            "GET /api/v1/staff": httpx.Response(
                200, json=[{"id": "c-1", "name": "李受理", "username": "jinjiang.clerk"}]
            ),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = self.answers.get(f"{request.method} {request.url.path}")
        if found is None:
            return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})
        return found

    def sent(self) -> list[tuple[str, str, dict[str, Any], str]]:
        """(method, path, JSON body, Authorization header) of every POST."""
        return [
            (r.method, r.url.path, json.loads(r.content), r.headers.get("authorization", ""))
            for r in self.requests
            if r.method == "POST"
        ]

    def asked(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


def refusal(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "fields": fields or {}}})


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture
def client(stand: Stand):  # type: ignore[no-untyped-def]
    """`client(user, area)`: a browser whose session holds the login of `user` in `area` (None: nobody)."""
    store = LocalSessionStore()
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand))
    app = create_app(settings, gateway=gateway, store=store)

    def make(user: dict[str, Any] | None = None, area: str = "staff") -> TestClient:
        login = {"access_token": "at", "refresh_token": "", "id_token": "", "expires_at": time.time() + 600}
        session_id = user["subject"] if user else "anonymous"
        auth = {area: {**login, "me": user}} if user else {}
        store.save(session_id, {"csrf": CSRF, "auth": auth}, 600)
        browser = TestClient(app, follow_redirects=False)
        browser.cookies.set(COOKIE, session_id)
        return browser

    return make


def field_html(page: str, name: str) -> str:
    """The markup of the field (a div or fieldset) holding the input `f-<name>`."""
    at = page.index(f'id="f-{name}"')
    start = max(page.rfind('<div class="field', 0, at), page.rfind('<fieldset class="field', 0, at))
    end = page.index("</fieldset>" if page.startswith("<fieldset", start) else "</div>", at)
    return page[start:end]


RATE = {"csrf": CSRF, "mode": "qr", "level": "5", "comment": ""}


def test_the_qr_page_shows_the_visit_the_five_levels_and_the_offline_sub_indicators(
    client, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    page = client().get(f"/rate/visit/{TOKEN}")
    assert page.status_code == 200 and "<h1>窗口服务评价</h1>" in page.text
    for fact in ("3号综合窗口", "锦江区行政审批局", "李受理", "个体工商户设立登记", "评价自愿，不影响办理"):
        assert fact in page.text
    for level, name in ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")):
        assert re.search(
            rf'<input type="radio" name="level" value="{level}"[^>]*>\s*{name}</label>', page.text
        )
    for name, label in (("efficiency", "办事效率"), ("service_level", "服务水平"), ("attitude", "服务态度")):
        assert f'<label for="f-{name}">{label}</label>' in page.text
        assert f'name="indicators.{name}"' in page.text
    assert "指南准确" not in page.text  # the online sub-indicators are the case page's
    assert '<input type="hidden" name="mode" value="qr">' in page.text
    assert "未登录评价时不记录您的账号" in page.text and "required" not in field_html(page.text, "comment")
    assert 'class="main-nav"' in page.text  # the site's navigation on the visitor's phone
    assert [r.headers.get("authorization") for r in stand.asked(f"{EVAL}/visits/{TOKEN}")] == [None]


def test_a_signed_in_citizen_rates_in_their_name_and_is_thanked(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/visits/{TOKEN}/ratings"] = httpx.Response(201, json={**RATING, "level": 2})
    citizen = client(CITIZEN, "citizen")
    assert "您已登录（张三），本次评价为实名评价" in citizen.get(f"/rate/visit/{TOKEN}").text
    form = {
        **RATE,
        "level": "2",
        "indicators.attitude": "1",
        "indicators.efficiency": "",
        "comment": " 态度差 ",
    }
    done = citizen.post(f"/rate/visit/{TOKEN}", data=form)
    assert (done.status_code, done.headers["location"]) == (303, "/rate/done")
    assert stand.sent() == [
        (
            "POST",
            f"{EVAL}/visits/{TOKEN}/ratings",
            {
                "level": 2,
                "indicators": {"attitude": 1},
                "comment": "态度差",
                "channel": 3,
                "follow_up": False,
            },
            "Bearer at",
        )
    ]
    thanks = citizen.get("/rate/done").text
    assert "服务部门将回访您并整改，结果将在“我的评价”中告知您" in thanks
    assert '<a class="button" href="/ratings">查看我的评价</a>' in thanks and TOKEN not in thanks


def test_the_tablet_rates_anonymously_on_channel_4_and_goes_back_to_waiting(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/visits/{TOKEN}/ratings"] = httpx.Response(201, json=RATING)
    tablet = client(CITIZEN, "citizen")  # someone's login on the shared tablet is not used
    page = tablet.get(f"/rate/visit/{TOKEN}?tablet=1").text
    assert 'class="main-nav"' not in page and "/login?" not in page and "/logout" not in page
    assert '<span class="brand-name">窗口评价器</span>' in page and 'href="/rate/tablet"' in page
    assert '<input type="hidden" name="mode" value="tablet">' in page and 'class="cz-visit cz-tablet"' in page
    assert "实名" not in page.split('id="h-identity"')[1].split("</p>")[0]
    form = {
        **RATE,
        "mode": "tablet",
        **{f"indicators.{n}": "5" for n in ("efficiency", "service_level", "attitude")},
    }
    done = tablet.post(f"/rate/visit/{TOKEN}", data=form)
    assert (done.status_code, done.headers["location"]) == (303, "/rate/tablet")
    indicators = {"efficiency": 5, "service_level": 5, "attitude": 5}
    body = {"level": 5, "indicators": indicators, "comment": "", "channel": 4, "follow_up": False}
    assert stand.sent() == [("POST", f"{EVAL}/visits/{TOKEN}/ratings", body, "")]
    waiting = tablet.get("/rate/tablet").text
    assert "感谢您的评价！" in waiting and "等待下一位办事人" in waiting and 'class="main-nav"' not in waiting
    assert "感谢您的评价！" not in tablet.get("/rate/tablet").text  # the thanks once, then waiting


def test_a_rating_without_a_level_is_refused_with_what_was_typed_kept(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    visitor = client()
    form = {**RATE, "level": "", "indicators.service_level": "4", "comment": "还行"}
    page = visitor.post(f"/rate/visit/{TOKEN}", data=form)
    assert page.status_code == 422 and not stand.sent()
    level = field_html(page.text, "level")
    assert "请选择总体评价等级。" in level and 'aria-invalid="true"' in level
    assert '<a href="#f-level">' in page.text and "还行</textarea>" in page.text
    assert '<option value="4" selected>' in field_html(page.text, "service_level")

    stand.answers[f"POST {EVAL}/visits/{TOKEN}/ratings"] = refusal(
        422,
        "INVALID_ARGUMENT",
        "请检查",
        {"indicators.attitude": "分项评价须为办事效率、服务水平、服务态度之一"},
    )
    page = visitor.post(f"/rate/visit/{TOKEN}", data={**form, "level": "3", "indicators.attitude": "2"})
    assert page.status_code == 422 and "之一" in field_html(page.text, "attitude")
    assert re.findall(r'value="(\d)" id="f-level[-\d]*"\s*checked', page.text) == ["3"]
    assert stand.sent()[-1][2]["channel"] == 3 and stand.sent()[-1][3] == ""  # anonymous


def test_a_second_rating_is_refused_and_the_one_follow_up_offered(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    path = f"POST {EVAL}/visits/{TOKEN}/ratings"
    stand.answers[path] = refusal(409, "EVALUATION_ALREADY_RATED", "该办件此环节已评价")
    stand.answers[f"GET {EVAL}/visits/{TOKEN}"] = httpx.Response(200, json={**VISIT, "rated": True})
    visitor = client()
    page = visitor.post(f"/rate/visit/{TOKEN}", data={**RATE, "comment": "很好"})
    assert page.status_code == 409 and "本次窗口服务已评价。如需补充，可追评一次。" in page.text
    assert '<input type="hidden" name="follow_up" value="yes">' in page.text and "提交追评" in page.text
    assert "indicators." not in page.text and "很好</textarea>" in page.text
    assert "提交追评" in visitor.get(f"/rate/visit/{TOKEN}").text  # a rated visit opens on its follow-up

    stand.answers[path] = httpx.Response(201, json={**RATING, "follow_up": True})
    follow = {**RATE, "follow_up": "yes", "level": "4", "indicators.attitude": "5", "comment": "补充"}
    done = visitor.post(f"/rate/visit/{TOKEN}", data=follow)
    assert (done.status_code, done.headers["location"]) == (303, "/rate/done")
    assert stand.sent()[-1][2] == {
        "level": 4,
        "indicators": {},
        "comment": "补充",
        "channel": 3,
        "follow_up": True,
    }
    assert "已提交追评，感谢您的反馈。" in visitor.get("/rate/done").text

    stand.answers[path] = refusal(409, "EVALUATION_ALREADY_RATED", "只能追评一次。")
    page = visitor.post(f"/rate/visit/{TOKEN}", data=follow)
    assert page.status_code == 409 and "本次窗口服务已追评，不能再次评价。" in page.text
    assert '<form method="post" action="/rate/visit/' not in page.text


def test_a_lapsed_or_unknown_code_says_what_to_do(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    visitor = client()
    stand.answers[f"GET {EVAL}/visits/{TOKEN}"] = httpx.Response(
        200, json={**VISIT, "expires_at": "2026-01-01T00:00:00Z"}
    )
    page = visitor.get(f"/rate/visit/{TOKEN}")
    assert page.status_code == 410 and "<h1>评价码已过期</h1>" in page.text
    assert "7 天内有效" in page.text and "12345" in page.text and 'name="level"' not in page.text
    assert visitor.post(f"/rate/visit/{TOKEN}", data={**RATE, "level": ""}).status_code == 410
    assert 'href="/inquiries?kind=complaint&amp;item_id=item-1">提交投诉</a>' in page.text

    del stand.answers[f"GET {EVAL}/visits/{TOKEN}"]
    page = visitor.get(f"/rate/visit/{TOKEN}")
    assert page.status_code == 404 and "<h1>未找到该评价码</h1>" in page.text
    assert "重新扫描窗口提供的二维码" in page.text and "12345" in page.text
    before = len(stand.requests)
    assert visitor.get("/rate/visit/short").status_code == 404 and len(stand.requests) == before

    stand.answers[f"GET {EVAL}/visits/{TOKEN}"] = httpx.Response(200, json=VISIT)
    stand.answers[f"POST {EVAL}/visits/{TOKEN}/ratings"] = refusal(
        409, "EVALUATION_VISIT_EXPIRED", "该窗口服务的评价码已过期"
    )
    page = visitor.post(f"/rate/visit/{TOKEN}?tablet=1", data={**RATE, "mode": "tablet"})
    assert page.status_code == 410 and "评价码已过期" in page.text and 'class="main-nav"' not in page.text
    assert "/inquiries" not in page.text and "12345" in page.text  # the shared tablet leads nowhere else


def test_the_access_log_never_carries_a_visit_token() -> None:
    args = ("127.0.0.1:5", "GET", f"/rate/visit/{TOKEN}?tablet=1", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)
    assert HIDDEN_KEYS.filter(record) and TOKEN not in record.getMessage()
    assert "/rate/visit/***?tablet=1" in record.getMessage()
    login = ("127.0.0.1:5", "GET", f"/login?area=citizen&next=%2Frate%2Fvisit%2F{TOKEN}", "1.1", 302)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', login, None)
    assert HIDDEN_KEYS.filter(record) and TOKEN not in record.getMessage()
    create_app(PortalSettings(gateway_url="http://gateway.test"))
    assert HIDDEN_KEYS in logging.getLogger("uvicorn.access").filters  # installed with the portal's routes


def test_the_clerk_records_a_visit_and_sees_its_qr_code_only_once(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    clerk = client(CLERK)
    page = clerk.get("/workbench/visits")
    assert page.status_code == 200
    assert '<a href="/workbench/visits" aria-current="page">窗口评价</a>' in page.text
    assert 'value="5号窗口"' in field_html(page.text, "window")  # the window last recorded
    assert '<option value="item-1">个体工商户设立登记</option>' in page.text and "草稿事项" not in page.text
    table = page.text[page.text.index("<table") : page.text.index("</table>")]
    assert "<caption" in table and table.count("<tr>") == 4
    for status in ("待评价", "已评价", "已过期（未评价）"):
        assert status in table
    assert "<svg" not in page.text and "/rate/visit/" not in page.text

    stand.answers[f"POST {EVAL}/visits"] = httpx.Response(
        201, json={"visit": {**VISIT, "window": "3号综合窗口"}, "token": TOKEN}
    )
    form = {"csrf": CSRF, "window": " 3号综合窗口 ", "item_id": "item-1", "case_no": "", "visitor_name": ""}
    page = clerk.post("/workbench/visits", data=form)
    assert page.status_code == 200
    assert stand.sent()[-1] == (
        "POST",
        f"{EVAL}/visits",
        {"window": "3号综合窗口", "item_id": "item-1"},
        "Bearer at",
    )
    url = f"http://portal.test/rate/visit/{TOKEN}"
    qr = segno.make(url, error="m").svg_inline(scale=6, omitsize=True, title="窗口服务评价二维码")
    assert qr in page.text  # the QR code of the rating page at the portal's public address
    assert f'href="/rate/visit/{TOKEN}?tablet=1"' in page.text and "在窗口评价器打开" in page.text
    assert "已登记3号综合窗口的窗口服务" in page.text and "评价码仅显示这一次" in page.text
    assert TOKEN not in clerk.get("/workbench/visits").text  # never shown again


def test_the_clerks_visit_is_refused_next_to_its_fields(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    clerk = client(CLERK)
    form = {"csrf": CSRF, "window": "", "item_id": "", "case_no": "bad no!", "visitor_name": "王五"}
    page = clerk.post("/workbench/visits", data=form)
    assert page.status_code == 422 and not stand.sent()
    assert "请填写窗口名称或编号" in field_html(page.text, "window")
    assert "办件编号只能包含" in field_html(page.text, "case_no")
    assert 'value="王五"' in field_html(page.text, "visitor_name") and '<a href="#f-window">' in page.text

    stand.answers[f"POST {EVAL}/visits"] = refusal(
        404, "EVALUATION_NOT_FOUND", "未找到本部门的该办件，请核对办件编号。"
    )
    page = clerk.post(
        "/workbench/visits", data={**form, "window": "3号", "case_no": "510104-20261201-000009"}
    )
    assert page.status_code == 404 and "未找到本部门的该办件" in field_html(page.text, "case_no")
    assert "<svg" not in page.text

    stand.answers["GET /api/v1/catalog/items"] = refusal(403, "PERMISSION_DENIED", "无权")
    page = clerk.get("/workbench/visits").text
    assert '<input id="f-item_id" name="item_id" type="text"' in page  # the item's id typed instead


def test_only_the_staff_who_serve_at_windows_record_visits(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers["GET /api/v1/tasks"] = httpx.Response(200, json=[])
    admin = client(TENANT_ADMIN)
    assert admin.get("/workbench/visits").status_code == 403
    assert admin.post("/workbench/visits", data={"csrf": CSRF, "window": "1"}).status_code == 403
    assert "/workbench/visits" not in admin.get("/workbench/tasks").text
    assert 'href="/workbench/visits"' in client(DEPT_ADMIN).get("/workbench/tasks").text
    assert client(CITIZEN, "citizen").get("/workbench/visits").status_code == 303  # the staff login


def test_the_admins_see_each_staff_members_figures(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"GET {EVAL}/settings"] = httpx.Response(
        200,
        json={"default_after_days": 10, "default_level": 4, "callback_workdays": 1, "rectify_workdays": 15},
    )
    page = client(TENANT_ADMIN).get("/admin/evaluation").text
    table = page[
        page.index('<table class="staff-figures-table">') : page.index(
            "</table>", page.index("staff-figures-table")
        )
    ]
    caption = '<caption class="visually-hidden" id="c-staff-figures">各工作人员近 30 日的好差评指标</caption>'
    assert caption in table
    # two landmarks, two names (axe landmark-unique): the section its heading's, the scrolled table its caption's
    assert '<section class="panel staff-figures" aria-labelledby="h-staff-figures">' in page
    assert 'role="region" aria-labelledby="c-staff-figures">' in page
    assert '<th scope="col">工作人员</th>' in table and '<th scope="col">好评率</th>' in table
    assert '<th scope="row">李受理</th>' in table and "<td>66.67%</td>" in table
    gone = table[table.index('<th scope="row">gone-1</th>') :]  # no longer on the staff list: the account
    assert re.findall(r"<td>([^<]*)</td>", gone)[6] == "—"  # no bad review: no rectification rate
    assert re.findall(r"<td>([^<]*)</td>", table)[6] == "100%"
    staff_list = stand.asked("/api/v1/staff")[-1]
    assert (staff_list.url.params.get("tenant"), staff_list.url.params.get("dept")) == ("510104", None)

    for path in ("rectifications", "ratings", "appeals"):
        stand.answers[f"GET {EVAL}/{path}"] = httpx.Response(200, json=[])
    page = client(DEPT_ADMIN).get("/workbench/ratings").text
    assert "工作人员指标（近 30 日）" in page and '<th scope="row">李受理</th>' in page
    assert stand.asked("/api/v1/staff")[-1].url.params["dept"] == "D1"
    assert "staff-figures-table" not in client(CLERK).get("/workbench/ratings").text


def test_a_visits_rating_is_shown_as_a_window_service_to_the_department(client, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    rating = {
        **RATING,
        "tenant": "510104",
        "dept": "D1",
        "item_name": "",
        "indicators": {"attitude": 5},
        "comment": "耐心细致",
        "channel": 4,
        "rater_name": "",
        "created_at": "2026-12-01T04:00:00Z",
        "excluded": False,
        "system_default": False,
    }
    stand.answers[f"GET {EVAL}/ratings"] = httpx.Response(200, json=[rating])
    stand.answers[f"GET {EVAL}/rectifications"] = httpx.Response(200, json=[])
    page = client(CLERK).get("/workbench/ratings").text
    assert "窗口服务 · 非常满意" in page and "服务态度：非常满意" in page and "大厅评价器" in page
    assert "<dd>窗口服务</dd>" in page and 'href="/workbench/cases/"' not in page
