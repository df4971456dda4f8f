"""咨询投诉 without an account against a stand-in gateway: the ask form with a mobile, 获取验证码 (the form posted and
shown again as typed, saying when to ask again), the question asked with the code and its 查询码 shown once,
the 查询码 pages (the lookup form, the inquiry with its answer) — and the 查询码 never in a log line."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.hidden_keys import HIDDEN_KEYS, LOGGERS
from ywtb.portal.routes import citizen_catalogue
from ywtb.portal.session import COOKIE, LocalSessionStore

CSRF = "csrf-token"
EVAL = "/api/v1/evaluation"
TENANT, DEPT = "510104", "11510104MB32345678"
ITEM_ID, CASE_NO = "item-inq-1", "510104-20261201-000001"
DEPT_NAME = "锦江区市场监督管理局"
MOBILE, MASKED = "13912345678", "139****5678"
REF = "Qx7-_aB3dE9fG1hJ"
CITIZEN = {"subject": "u-1", "tenant": "", "roles": ["citizen"], "name": "张三"}
HIT = {
    "item_id": ITEM_ID,
    "version": 1,
    "name": "个体工商户设立登记",
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "online_depth": 7,
}
GUIDE = {
    "item_id": ITEM_ID,
    "version": 1,
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "guide": {"name": "个体工商户设立登记", "online_depth": 7, "visits": 0, "themes": [], "faqs": []},
}
INQUIRY = {
    "id": "q9",
    "kind": "consultation",
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "item_id": ITEM_ID,
    "item_name": "个体工商户设立登记",
    "title": "经营场所证明",
    "question": "住宅可以登记为经营场所吗？",
    "consent_to_publish": False,
    "status": "INQUIRY_STATUS_ASKED",
    "reply_due": "2026-12-08T15:59:59Z",
    "created_at": "2026-12-01T02:00:00Z",
}
ANSWERED = {
    **INQUIRY,
    "status": "INQUIRY_STATUS_ANSWERED",
    "reply": "可以，上传房屋产权证明即可。",
    "replied_at": "2026-12-03T02:00:00Z",
}
ASK = {
    "csrf": CSRF,
    "kind": "consultation",
    "about": f"item:{ITEM_ID}",
    "title": " 经营场所证明 ",
    "question": "住宅可以登记为经营场所吗？",
    "consent": "yes",
    "mobile": "139 1234 5678",
    "mobile_code": "",
}


class Stand:
    """The gateway as the portal sees it: canned answers by "METHOD path", every request kept."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {
            "GET /api/v1/catalog/search": httpx.Response(200, json={"total": 1, "hits": [HIT]}),
            f"GET /api/v1/catalog/items/{ITEM_ID}/guide": httpx.Response(200, json=GUIDE),
            "GET /api/v1/catalog/bundles": httpx.Response(200, json=[]),
            f"GET {EVAL}/inquiries/mine": httpx.Response(200, json=[]),
            "GET /api/v1/cases/mine": httpx.Response(200, json=[]),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = self.answers.get(f"{request.method} {request.url.path}")
        return found or httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        """(path, JSON body) of every POST."""
        return [(r.url.path, json.loads(r.content)) for r in self.requests if r.method == "POST"]


def refusal(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "fields": fields or {}}})


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture(autouse=True)
def fresh_catalogue() -> None:
    citizen_catalogue._catalogue.update(at=0.0, data=None)


@pytest.fixture
def store() -> LocalSessionStore:
    return LocalSessionStore()


@pytest.fixture
def visitor(stand: Stand, store: LocalSessionStore):  # type: ignore[no-untyped-def]
    """`visitor(user=None)`: a client of the portal, nobody signed in (or the citizen `user`)."""
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand))
    app = create_app(settings, gateway=gateway, store=store)

    def make(user: dict[str, Any] | None = None) -> TestClient:
        session: dict[str, Any] = {"csrf": CSRF}
        if user:
            login = {
                "access_token": "at",
                "refresh_token": "",
                "id_token": "",
                "expires_at": time.time() + 600,
            }
            session["auth"] = {"citizen": {**login, "me": user}}
        sid = (user or {}).get("subject", "anonymous")
        store.save(sid, session, 600)
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, sid)
        return client

    return make


def field_html(page: str, name: str) -> str:
    """The markup of the field (a div) holding the input `f-<name>`."""
    at = page.index(f'id="f-{name}"')
    return page[page.rfind('<div class="field', 0, at) : page.index("</div>", at)]


def ask_form(page: str) -> str:
    return page[page.index('<form method="post" action="/inquiries"') : page.index("</form>")]


def test_without_an_account_the_form_asks_for_a_mobile_and_its_code(visitor, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    page = visitor().get(f"/inquiries?kind=consultation&item_id={ITEM_ID}")
    assert page.status_code == 200 and "<h1>咨询投诉</h1>" in page.text and 'id="mine"' not in page.text
    form = ask_form(page.text)
    assert f'<option value="item:{ITEM_ID}" selected>个体工商户设立登记（{DEPT_NAME}）</option>' in form
    assert (
        f'<option value="dept:{TENANT}:{DEPT}">{DEPT_NAME}</option>' in form
    )  # complaints about departments
    assert "我的办件" not in form and not [r for r in stand.requests if r.url.path == "/api/v1/cases/mine"]
    mobile = field_html(form, "mobile")
    assert '<label for="f-mobile">手机号码 <span class="required"' in mobile and 'type="tel"' in mobile
    assert '<label for="f-mobile_code">短信验证码 <span class="required"' in form
    assert 'name="send_code" value="yes"' in form and ">获取验证码</button>" in form
    # Enter in a field sends the question: the form's first submit button is the one without a name
    first = re.search(r"<button type=\"submit\"[^>]*>", form)
    assert first and "name=" not in first.group() and 'aria-hidden="true"' in first.group()
    login = "/login?area=citizen&amp;next=" + quote(
        f"/inquiries?kind=consultation&item_id={ITEM_ID}", safe="/"
    )
    assert f'<a href="{login}">登录后提交</a>' in page.text
    assert '<a href="/inquiries/ref">已有查询码？查看答复</a>' in page.text

    case = visitor().get(f"/inquiries?kind=complaint&case_no={CASE_NO}").text  # a case: its applicant's
    assert CASE_NO not in ask_form(case) and not re.search(r'<option value="[^"]+" selected>', case)
    signed_in = visitor(CITIZEN).get("/inquiries").text
    assert 'id="f-mobile"' not in signed_in and 'id="mine"' in signed_in  # signed in: as before


def test_a_code_is_texted_and_the_form_comes_back_as_typed(visitor, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/mobile-codes"] = httpx.Response(
        201, json={"resend_after": "2026-12-01T02:01:05Z"}
    )
    anonymous = visitor()
    page = anonymous.post("/inquiries", data={**ASK, "send_code": "yes", "mobile_code": "111"})
    assert page.status_code == 200
    assert stand.sent() == [(f"{EVAL}/mobile-codes", {"mobile": MOBILE, "tenant": TENANT})]  # the item's
    assert f"验证码已发送到 {MASKED}，请填写短信中的 6 位验证码后提交。" in page.text
    assert "如未收到，可于 10:01:05 后重新获取。" in page.text  # in China time
    assert MOBILE not in page.text  # the number only as typed, in its input
    form = ask_form(page.text)
    assert 'value=" 经营场所证明 "' in form and "住宅可以登记为经营场所吗？</textarea>" in form
    assert re.search(r'id="f-consent"[^>]*checked', form) and re.search(r'id="f-kind"[^>]*checked', form)
    assert f'<option value="item:{ITEM_ID}" selected>' in form and 'value="139 1234 5678"' in form
    code = field_html(form, "mobile_code")
    assert 'value=""' in code and "autofocus" in code  # a new code: the old one typed is gone

    dept = {**ASK, "kind": "complaint", "about": f"dept:{TENANT}:{DEPT}", "send_code": "yes"}
    assert anonymous.post("/inquiries", data=dept).status_code == 200
    assert stand.sent()[-1] == (f"{EVAL}/mobile-codes", {"mobile": MOBILE, "tenant": TENANT})

    before = len(stand.sent())
    page = anonymous.post("/inquiries", data={**ASK, "send_code": "yes", "mobile": "1391234"})
    assert page.status_code == 422 and len(stand.sent()) == before
    assert "请填写 11 位中国大陆手机号码。" in field_html(page.text, "mobile")

    soon = "验证码已发送，请 60 秒后再获取。"
    stand.answers[f"POST {EVAL}/mobile-codes"] = refusal(429, "EVALUATION_CODE_TOO_SOON", soon)
    page = anonymous.post("/inquiries", data={**ASK, "send_code": "yes"})
    assert page.status_code == 429 and soon in field_html(page.text, "mobile")
    assert '<a href="#f-mobile">' in page.text and 'value=" 经营场所证明 "' in page.text
    down = "短信服务暂不可用，请登录后提交咨询投诉。"
    stand.answers[f"POST {EVAL}/mobile-codes"] = refusal(503, "UNAVAILABLE", down)
    page = anonymous.post("/inquiries", data={**ASK, "send_code": "yes"})
    assert (
        page.status_code == 503 and down in page.text and "field-error" not in field_html(page.text, "mobile")
    )


def test_the_question_asked_with_the_code_shows_its_ref_once(visitor, stand: Stand, store) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/inquiries/by-mobile"] = httpx.Response(
        201, json={"inquiry": INQUIRY, "ref": REF}
    )
    anonymous = visitor()
    page = anonymous.post("/inquiries", data={**ASK, "mobile_code": " ６５４３２１ "})
    assert page.status_code == 200
    assert stand.sent() == [
        (
            f"{EVAL}/inquiries/by-mobile",
            {
                "kind": "consultation",
                "title": "经营场所证明",
                "question": "住宅可以登记为经营场所吗？",
                "consent_to_publish": True,
                "item_id": ITEM_ID,
                "mobile": MOBILE,
                "mobile_code": "654321",
            },
        )
    ]
    assert (
        "<h1>已提交咨询</h1>" in page.text and f'<span class="cz-code" id="cz-ref">{REF}</span>' in page.text
    )
    assert "查询码只在本页显示这一次" in page.text
    assert f"{DEPT_NAME}将于 2026-12-08 前答复；答复后将以短信通知 {MASKED}" in page.text
    assert f'<a class="button" href="/inquiries/ref/{REF}">查看进度和答复</a>' in page.text
    assert REF not in json.dumps(store.load("anonymous"))  # not kept in the session (no flash)
    assert REF not in anonymous.get("/inquiries").text


def test_an_ask_without_a_good_code_is_refused_with_everything_kept(visitor, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    anonymous = visitor()
    page = anonymous.post("/inquiries", data={**ASK, "mobile": "", "mobile_code": "12345"})
    assert page.status_code == 422 and not stand.sent()
    assert "请填写 11 位中国大陆手机号码。" in field_html(page.text, "mobile")
    assert "请填写短信中的 6 位验证码" in field_html(page.text, "mobile_code")
    assert 'value="12345"' in field_html(page.text, "mobile_code")
    case = {**ASK, "kind": "complaint", "about": f"case:{CASE_NO}", "mobile_code": "123456"}
    page = anonymous.post("/inquiries", data=case)
    assert page.status_code == 422 and "投诉办件请登录办件申请人的账号" in page.text and not stand.sent()

    wrong = "验证码不正确或已失效，请重新获取验证码。"
    stand.answers[f"POST {EVAL}/inquiries/by-mobile"] = refusal(
        422, "EVALUATION_MOBILE_CODE", wrong, {"mobile_code": wrong}
    )
    page = anonymous.post("/inquiries", data={**ASK, "mobile_code": "000000"})
    assert page.status_code == 422
    code = field_html(page.text, "mobile_code")
    assert wrong in code and 'aria-invalid="true"' in code and 'value="000000"' in code
    assert 'value=" 经营场所证明 "' in page.text and re.search(r'id="f-consent"[^>]*checked', page.text)
    stand.answers[f"POST {EVAL}/inquiries/by-mobile"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"body.title": "长度不能少于 2 个字符"}
    )
    page = anonymous.post("/inquiries", data={**ASK, "title": "住", "mobile_code": "000000"})
    assert "长度不能少于 2 个字符" in field_html(page.text, "title")
    assert 'value="000000"' in field_html(page.text, "mobile_code")  # the code is kept for the next try


def test_the_ref_opens_the_inquiry_with_its_answer_from_its_page_or_the_form(visitor, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    anonymous = visitor()
    page = anonymous.get("/inquiries/ref")
    assert page.status_code == 200 and "<h1>凭查询码查看答复</h1>" in page.text
    assert (
        '<form method="post" action="/inquiries/ref"' in page.text
        and '<label for="f-ref">查询码' in page.text
    )
    found = anonymous.post("/inquiries/ref", data={"csrf": CSRF, "ref": f" {REF} "})
    assert (found.status_code, found.headers["location"]) == (303, f"/inquiries/ref/{REF}")
    bad = anonymous.post("/inquiries/ref", data={"csrf": CSRF, "ref": "abc"})
    assert bad.status_code == 422 and "请填写完整的查询码" in field_html(bad.text, "ref")

    stand.answers[f"GET {EVAL}/inquiries/by-ref/{REF}"] = httpx.Response(200, json=ANSWERED)
    page = anonymous.get(f"/inquiries/ref/{REF}")
    assert page.status_code == 200 and "<h1>咨询投诉进度和答复</h1>" in page.text
    for fact in (
        "经营场所证明",
        "已答复",
        ANSWERED["reply"],
        DEPT_NAME,
        "2026-12-08",
        "住宅可以登记为经营场所吗？",
    ):
        assert fact in page.text, fact
    (read,) = [r for r in stand.requests if r.url.path.endswith(REF)]
    assert "authorization" not in read.headers  # public: the ref is the key

    complaint = {**INQUIRY, "kind": "complaint", "item_id": "", "item_name": "", "dept_name": ""}
    stand.answers[f"GET {EVAL}/inquiries/by-ref/{REF}"] = httpx.Response(200, json=complaint)
    page = anonymous.get(f"/inquiries/ref/{REF}").text
    assert (
        f"<dd>{DEPT_NAME}</dd>" in page and f"{DEPT_NAME}将于 2026-12-08 前答复。" in page
    )  # by the catalogue

    unknown = "未找到该查询码对应的咨询投诉，请核对短信中的查询码。"
    stand.answers[f"GET {EVAL}/inquiries/by-ref/{REF}"] = refusal(404, "EVALUATION_NOT_FOUND", unknown)
    page = anonymous.get(f"/inquiries/ref/{REF}")
    assert page.status_code == 404 and unknown in field_html(page.text, "ref")
    assert '<form method="post" action="/inquiries/ref"' in page.text
    before = len(stand.requests)
    assert anonymous.get("/inquiries/ref/short").status_code == 404 and len(stand.requests) == before
    stand.answers[f"GET {EVAL}/inquiries/by-ref/{REF}"] = refusal(503, "UNAVAILABLE", "服务暂时不可用")
    page = anonymous.get(f"/inquiries/ref/{REF}")
    assert page.status_code == 503 and "服务暂时不可用" in page.text


def access_record(path: str) -> logging.LogRecord:
    args = ("127.0.0.1:5", "GET", path, "1.1", 200)
    return logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)


def test_no_log_line_carries_a_ref(visitor, stand: Stand, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    for path, shown in (
        (f"/inquiries/ref/{REF}", "/inquiries/ref/***"),
        (f"/login?area=citizen&next=%2Finquiries%2Fref%2F{REF}", "%2Finquiries%2Fref%2F***"),
        (f"/lang?to=en&next=/inquiries/ref/{REF}", "next=/inquiries/ref/***"),
    ):
        record = access_record(path)
        assert HIDDEN_KEYS.filter(record) and REF not in record.getMessage() and shown in record.getMessage()
    record = access_record("/inquiries/ref")
    assert HIDDEN_KEYS.filter(record) and "GET /inquiries/ref HTTP" in record.getMessage()
    url = httpx.URL(f"http://gateway.test{EVAL}/inquiries/by-ref/{REF}")
    record = logging.LogRecord("httpx", logging.INFO, "", 0, "HTTP Request: %s %s", ("GET", url), None)
    assert HIDDEN_KEYS.filter(record) and record.getMessage().endswith("/inquiries/by-ref/***")
    mine = logging.LogRecord("httpx", logging.INFO, "", 0, "%s", (f"{EVAL}/visits/mine?page_size=20",), None)
    assert HIDDEN_KEYS.filter(mine) and mine.getMessage() == f"{EVAL}/visits/mine?page_size=20"

    stand.answers[f"GET {EVAL}/inquiries/by-ref/{REF}"] = httpx.Response(200, json=ANSWERED)
    with caplog.at_level(logging.INFO):
        assert visitor().get(f"/inquiries/ref/{REF}").status_code == 200
    assert f"{EVAL}/inquiries/by-ref/***" in caplog.text and REF not in caplog.text  # the gateway call
    assert all(HIDDEN_KEYS in logging.getLogger(name).filters for name in LOGGERS)
