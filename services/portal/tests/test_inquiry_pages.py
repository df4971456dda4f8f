"""咨询投诉's pages against a stand-in gateway: the guide's 咨询 and the case page's 投诉, 我的咨询投诉 with its
ask and escalation forms, the workbench's queue (due first, the marks, publishing only with consent), the
search page's 问答知识库 and the public answers — what each role sees, what is posted, and the refusals next
to the fields with what was typed kept."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.routes import citizen_catalogue
from ywtb.portal.routes.knowledge_base import has_words, matching_faqs, words_of
from ywtb.portal.session import COOKIE, LocalSessionStore

CSRF = "csrf-token"
EVAL = "/api/v1/evaluation"
TENANT, DEPT, OTHER_DEPT = "510104", "11510104MB32345678", "11510104MB42345678"
CASE_NO = "510104-20261201-000001"
ITEM_ID = "item-inq-1"
CITIZEN = {"subject": "u-1", "tenant": "", "roles": ["citizen"], "name": "张三"}
CLERK = {"subject": "c-1", "tenant": TENANT, "dept": DEPT, "roles": ["window_clerk"], "name": "李受理"}
OTHER_CLERK = {**CLERK, "subject": "c-2", "dept": OTHER_DEPT, "name": "钱受理"}
TENANT_ADMIN = {**CLERK, "subject": "t-1", "dept": "11510104MB52345678", "roles": ["tenant_admin"]}
SUPERVISOR = {**TENANT_ADMIN, "subject": "s-1", "roles": ["supervisor"], "name": "周监督"}
DEPT_NAME = "锦江区市场监督管理局"
FAQ = {"q": "个体工商户可以不起字号吗？", "a": "可以。不使用名称的，营业执照名称栏登记为“*”。"}
HIT = {
    "item_id": ITEM_ID,
    "version": 1,
    "name": "个体工商户设立登记",
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "basic_code": "000104001000",
    "online_depth": 7,
}
GUIDE = {
    "item_id": ITEM_ID,
    "version": 1,
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "basic_code": "000104001000",
    "item_type": "01",
    "published_at": "2026-11-01T02:00:00Z",
    "guide": {
        "name": "个体工商户设立登记",
        "online_depth": 7,
        "visits": 0,
        "themes": ["开办企业"],
        "service_objects": ["natural_person"],
        "faqs": [FAQ, {"q": "办理营业执照收费吗？", "a": "不收费。"}],
    },
}
CASE = {
    "case_no": CASE_NO,
    "item_id": ITEM_ID,
    "item_version": 1,
    "item_name": "个体工商户设立登记",
    "status": "CASE_STATUS_ACCEPTED",
    "applicant": {"name": "张三", "applicant_type": 1, "id_type": "111", "id_number": "5101***123"},
    "channel": "CHANNEL_ONLINE",
    "materials": [],
    "submitted_at": "2026-12-01T02:00:00Z",
}
INQUIRY = {
    "id": "q1",
    "kind": "consultation",
    "tenant": TENANT,
    "dept": DEPT,
    "dept_name": DEPT_NAME,
    "item_id": ITEM_ID,
    "item_name": "个体工商户设立登记",
    "case_no": "",
    "title": "经营场所证明",
    "question": "住宅可以登记为经营场所吗？",
    "consent_to_publish": True,
    "status": "INQUIRY_STATUS_ASKED",
    "reply_due": "2026-12-08T15:59:59Z",
    "reply": "",
    "answered_late": False,
    "overdue": False,
    "published": False,
    "escalation": "",
    "created_at": "2026-12-01T02:00:00Z",
}
COMPLAINT = {
    **INQUIRY,
    "id": "q2",
    "kind": "complaint",
    "item_id": "",
    "case_no": CASE_NO,
    "title": "多次补正",
    "question": "办件过程中多次被要求补正。",
    "consent_to_publish": False,
    "reply_due": "2026-12-02T15:59:59Z",
    "overdue": True,
    "created_at": "2026-11-25T02:00:00Z",
}
ANSWERED = {
    **INQUIRY,
    "id": "q3",
    "title": "营业执照邮寄",
    "status": "INQUIRY_STATUS_ANSWERED",
    "reply": "可以免费邮寄。",
    "replied_at": "2026-12-10T02:00:00Z",
    "answered_late": True,
    "published": True,
}
ESCALATED = {
    **COMPLAINT,
    "id": "q4",
    "title": "窗口态度差",
    "status": "INQUIRY_STATUS_ESCALATED",
    "escalation": "希望上级督办",
    "overdue": False,
    "reply_due": "2026-12-15T15:59:59Z",
}
PUBLISHED = {
    "id": "q3",
    "kind": "consultation",
    "title": "营业执照邮寄",
    "question": "营业执照可以邮寄到外地吗？",
    "reply": "可以免费邮寄到全国。",
    "dept_name": DEPT_NAME,
    "item_name": "个体工商户设立登记",
    "asked_at": "2026-12-01T02:00:00Z",
    "replied_at": "2026-12-03T02:00:00Z",
}
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def _replies(request: httpx.Request) -> httpx.Response:
    """The published answers with the one string the service matches."""
    query = request.url.params.get("query", "")
    texts = ("title", "question", "reply")
    return httpx.Response(200, json=[PUBLISHED] if any(query in PUBLISHED[t] for t in texts) else [])


class Stand:
    """The gateway as the portal sees it: canned answers by "METHOD path", every request kept."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {
            "GET /api/v1/catalog/search": httpx.Response(200, json={"total": 1, "hits": [HIT]}),
            f"GET /api/v1/catalog/items/{ITEM_ID}/guide": httpx.Response(200, json=GUIDE),
            "GET /api/v1/catalog/bundles": httpx.Response(200, json=[]),
            f"GET /api/v1/cases/{CASE_NO}": httpx.Response(200, json=CASE),
            "GET /api/v1/cases/mine": httpx.Response(200, json=[CASE]),
            f"GET {EVAL}/inquiries/mine": httpx.Response(200, json=[INQUIRY, COMPLAINT, ANSWERED]),
            f"GET {EVAL}/inquiries": httpx.Response(200, json=[COMPLAINT, INQUIRY, ESCALATED, ANSWERED]),
            f"GET {EVAL}/replies": _replies,
            f"GET /api/v1/tenants/{TENANT}/departments": httpx.Response(
                200, json=[{"credit_code": OTHER_DEPT, "name": "锦江区卫生健康局", "short_name": "区卫健局"}]
            ),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = self.answers.get(f"{request.method} {request.url.path}")
        if found is None:
            return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})
        return found(request) if callable(found) else found

    def sent(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(method, path, JSON body) of every POST."""
        return [(r.method, r.url.path, json.loads(r.content)) for r in self.requests if r.method == "POST"]

    def asked(self, path: str) -> list[httpx.Request]:
        """The GETs of `path`."""
        return [r for r in self.requests if r.method == "GET" and r.url.path == path]


def refusal(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "fields": fields or {}}})


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture(autouse=True)
def fresh_catalogue() -> None:
    """The catalogue (themes, departments, FAQs) read anew from this test's gateway."""
    citizen_catalogue._catalogue.update(at=0.0, data=None)


@pytest.fixture
def store() -> LocalSessionStore:
    return LocalSessionStore()


@pytest.fixture
def signed_in(stand: Stand, store: LocalSessionStore):  # type: ignore[no-untyped-def]
    """`signed_in(user, area)`: a client whose session holds the login of `user` in `area` (None: nobody)."""
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand))
    app = create_app(settings, gateway=gateway, store=store)

    def make(user: dict[str, Any] | None, area: str = "staff", expires_in: float = 600) -> TestClient:
        session: dict[str, Any] = {"csrf": CSRF}
        if user is not None:
            login = {"access_token": "at", "refresh_token": "", "id_token": "", "expires_at": time.time()}
            session["auth"] = {area: {**login, "expires_at": time.time() + expires_in, "me": user}}
        sid = (user or {}).get("subject", "anonymous")
        store.save(sid, session, 600)
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, sid)
        return client

    return make


def field_html(page: str, name: str) -> str:
    """The markup of the field (a div or fieldset) holding the input `f-<name>`."""
    at = page.index(f'id="f-{name}"')
    start = max(page.rfind('<div class="field', 0, at), page.rfind('<fieldset class="field', 0, at))
    end = page.index("</fieldset>" if page.startswith("<fieldset", start) else "</div>", at)
    return page[start:end]


def card(page: str, marker: str, tag: str = "li") -> str:
    """The markup of the list entry holding `marker`."""
    at = page.index(marker)
    return page[page.rfind(f"<{tag} ", 0, at) : page.index(f"</{tag}>", at)]


ASK = {
    "csrf": CSRF,
    "kind": "consultation",
    "about": f"item:{ITEM_ID}",
    "title": " 经营场所证明 ",
    "question": "住宅可以登记为经营场所吗？",
    "consent": "yes",
}


def test_the_guide_offers_a_consultation_and_the_case_page_a_complaint(signed_in) -> None:  # type: ignore[no-untyped-def]
    guide = signed_in(None).get(f"/items/{ITEM_ID}")
    assert guide.status_code == 200
    assert f'href="/inquiries?kind=consultation&amp;item_id={ITEM_ID}#ask">咨询</a>' in guide.text
    case = signed_in(CITIZEN, "citizen").get(f"/cases/{CASE_NO}")
    assert case.status_code == 200
    assert f'href="/inquiries?kind=complaint&amp;case_no={CASE_NO}#ask">投诉</a>' in case.text
    assert '<a href="/inquiries">咨询投诉</a>' in case.text  # the citizen's navigation


def test_the_ask_form_comes_prefilled_and_my_inquiries_show_status_deadline_and_reply(
    signed_in, stand: Stand
) -> None:  # type: ignore[no-untyped-def]
    citizen = signed_in(CITIZEN, "citizen")
    page = citizen.get(f"/inquiries?kind=consultation&item_id={ITEM_ID}").text
    assert "<h1>我的咨询投诉</h1>" in page
    assert re.search(r'id="f-kind"[^>]*checked', page) and not re.search(
        r'id="f-kind-complaint"[^>]*checked', page
    )
    about = field_html(page, "about")
    assert f'<option value="item:{ITEM_ID}" selected>个体工商户设立登记（{DEPT_NAME}）</option>' in about
    assert f'<option value="case:{CASE_NO}">个体工商户设立登记（办件 {CASE_NO}）</option>' in about
    assert (
        f'<option value="dept:{TENANT}:{DEPT}">{DEPT_NAME}</option>' in about
    )  # complaints about departments
    assert not re.search(r'id="f-consent"[^>]*checked', page)  # consent is asked, never assumed

    asked = card(page, 'id="inquiry-q1"')
    for fact in (
        "经营场所证明",
        "咨询",
        "待答复",
        "2026-12-08",
        "您已同意公开",
        f"{DEPT_NAME}将于 2026-12-08 前答复",
    ):
        assert fact in asked, fact
    assert "/escalation" not in asked  # a consultation is not escalated
    complaint = card(page, 'id="inquiry-q2"')
    assert "已逾期" in complaint and 'action="/inquiries/q2/escalation"' in complaint
    answered = card(page, 'id="inquiry-q3"')
    assert "可以免费邮寄。" in answered and "已公开" in answered and "逾期答复" in answered

    page = citizen.get(f"/inquiries?kind=complaint&case_no={CASE_NO}").text
    assert f'<option value="case:{CASE_NO}" selected>' in page
    assert re.search(r'id="f-kind-complaint"[^>]*checked', page)
    bad = citizen.get("/inquiries?kind=other&item_id=../x").text  # bad values: a blank form
    assert not re.search(r'<option value="[^"]+" selected>', bad) and not re.search(
        r"id=\"f-kind[^\"]*\"[^>]*checked", bad
    )
    staff = signed_in(CLERK).get("/inquiries")  # a staff login is no citizen's: the form without an account
    assert staff.status_code == 200 and 'id="f-mobile"' in staff.text and 'id="mine"' not in staff.text
    assert 'id="f-mobile"' not in page  # signed in, no mobile asked for


def test_a_question_is_posted_and_its_deadline_told(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stand.answers[f"POST {EVAL}/inquiries"] = httpx.Response(201, json=INQUIRY)
    citizen = signed_in(CITIZEN, "citizen")
    done = citizen.post("/inquiries", data=ASK)
    assert (done.status_code, done.headers["location"]) == (303, "/inquiries#inquiry-q1")
    assert stand.sent() == [
        (
            "POST",
            f"{EVAL}/inquiries",
            {
                "kind": "consultation",
                "title": "经营场所证明",
                "question": "住宅可以登记为经营场所吗？",
                "consent_to_publish": True,
                "item_id": ITEM_ID,
            },
        )
    ]
    assert f"已提交。{DEPT_NAME}将于 2026-12-08 前答复" in citizen.get("/inquiries").text

    stand.answers[f"POST {EVAL}/inquiries"] = httpx.Response(
        201, json={**COMPLAINT, "dept": DEPT, "dept_name": ""}
    )
    dept = {**ASK, "kind": "complaint", "about": f"dept:{TENANT}:{DEPT}", "consent": ""}
    assert citizen.post("/inquiries", data=dept).status_code == 303
    assert stand.sent()[-1][2] == {
        "kind": "complaint",
        "title": "经营场所证明",
        "question": "住宅可以登记为经营场所吗？",
        "consent_to_publish": False,
        "tenant": TENANT,
        "dept": DEPT,
    }
    assert "已提交。办理部门将于 2026-12-02 前答复" in citizen.get("/inquiries").text


def test_a_refused_question_is_told_next_to_its_field_with_everything_kept(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    citizen = signed_in(CITIZEN, "citizen")
    page = citizen.post("/inquiries", data={**ASK, "kind": ""})
    assert page.status_code == 422 and not stand.sent()
    assert "请选择咨询或投诉。" in field_html(page.text, "kind") and '<a href="#f-kind">' in page.text
    forged = citizen.post("/inquiries", data={**ASK, "about": "case:../../x"})
    assert forged.status_code == 422 and "请从列表中选择" in field_html(forged.text, "about")

    stand.answers[f"POST {EVAL}/inquiries"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"body.title": "长度不能少于 2 个字符"}
    )
    page = citizen.post("/inquiries", data={**ASK, "title": "住"}).text
    title = field_html(page, "title")
    assert "长度不能少于 2 个字符" in title and 'aria-invalid="true"' in title and 'value="住"' in title
    assert "住宅可以登记为经营场所吗？</textarea>" in page
    assert re.search(r'id="f-consent"[^>]*checked', page)
    assert f'<option value="item:{ITEM_ID}" selected>' in page and re.search(r'id="f-kind"[^>]*checked', page)

    routed = "请选择咨询的事项，或投诉的办件或部门。"
    stand.answers[f"POST {EVAL}/inquiries"] = refusal(422, "INVALID_ARGUMENT", routed, {"item_id": routed})
    page = citizen.post("/inquiries", data={**ASK, "about": ""})
    assert page.status_code == 422 and routed in field_html(page.text, "about")

    stand.answers[f"POST {EVAL}/inquiries"] = refusal(503, "UNAVAILABLE", "服务暂时不可用，请稍后重试。")
    stand.answers[f"GET {EVAL}/inquiries/mine"] = refusal(503, "UNAVAILABLE", "服务暂时不可用，请稍后重试。")
    page = citizen.post("/inquiries", data=ASK)
    assert (
        page.status_code == 503 and "服务暂时不可用，请稍后重试。" in page.text
    )  # the form, not an error page
    assert 'value=" 经营场所证明 "' in page.text and "暂时无法读取您的咨询投诉" in page.text


def test_a_question_posted_after_the_login_expired_comes_back_filled(
    signed_in, store: LocalSessionStore
) -> None:  # type: ignore[no-untyped-def]
    expired = signed_in(CITIZEN, "citizen", expires_in=-60)
    gone = expired.post("/inquiries", data=ASK, headers={"referer": "http://portal.test/inquiries"})
    assert gone.headers["location"] == "/login?area=citizen&next=" + quote("/inquiries", safe="")
    data = store.load(CITIZEN["subject"]) or {}
    login = {"access_token": "at", "refresh_token": "", "id_token": "", "expires_at": time.time() + 600}
    data["auth"] = {"citizen": {**login, "me": CITIZEN}}
    store.save(CITIZEN["subject"], data, 600)
    page = expired.get("/inquiries").text
    assert "您重新登录前填写的内容已填回表单" in page
    assert 'value=" 经营场所证明 "' in page and "住宅可以登记为经营场所吗？</textarea>" in page
    assert re.search(r'id="f-consent"[^>]*checked', page)


def test_a_complaint_is_escalated_and_a_refusal_keeps_the_reason(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    citizen = signed_in(CITIZEN, "citizen")
    stand.answers[f"POST {EVAL}/inquiries/q2/escalation"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"reason": "长度不能少于 2 个字符"}
    )
    page = citizen.post("/inquiries/q2/escalation", data={"csrf": CSRF, "reason": "急"})
    assert page.status_code == 422
    assert "长度不能少于 2 个字符" in field_html(page.text, "reason-q2") and ">急</textarea>" in page.text
    assert re.search(
        r'<details class="cz-follow-up" open>\s*<summary>升级投诉<span class="cz-sr-only"> 多次补正',
        page.text,
    )

    stand.answers[f"POST {EVAL}/inquiries/q2/escalation"] = httpx.Response(200, json=ESCALATED)
    done = citizen.post("/inquiries/q2/escalation", data={"csrf": CSRF, "reason": " 希望上级督办 "})
    assert (done.status_code, done.headers["location"]) == (303, "/inquiries#inquiry-q2")
    assert stand.sent()[-1] == ("POST", f"{EVAL}/inquiries/q2/escalation", {"reason": "希望上级督办"})
    assert "已将投诉升级到政务服务管理部门，将于 2026-12-15 前答复。" in citizen.get("/inquiries").text

    twice = "只有尚未升级的投诉可以升级。"
    stand.answers[f"POST {EVAL}/inquiries/q2/escalation"] = refusal(409, "EVALUATION_STATE", twice)
    page = citizen.post("/inquiries/q2/escalation", data={"csrf": CSRF, "reason": "再次升级"})
    assert page.status_code == 409 and twice in page.text and ">再次升级</textarea>" in page.text
    assert citizen.post("/inquiries/..%2F/escalation", data={"csrf": CSRF}).status_code == 404


def test_the_clerk_sees_the_queue_due_first_and_publishes_only_with_consent(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    clerk = signed_in(CLERK)
    page = clerk.get("/workbench/inquiries").text
    assert '<a href="/workbench/inquiries" aria-current="page">咨询投诉</a>' in page
    waiting = page[page.index('id="h-waiting"') : page.index('id="h-answered"')]
    assert "待答复（3）" in waiting
    assert (
        waiting.index("多次补正") < waiting.index("经营场所证明") < waiting.index("窗口态度差")
    )  # due first
    complaint = card(waiting, 'id="inquiry-q2"')
    assert "已逾期" in complaint and "deadline-" in complaint and "截止 2026-12-02" in complaint
    assert 'action="/workbench/inquiries/q2/reply"' in complaint and "提问人未同意公开" in complaint
    assert 'name="publish"' not in complaint  # no consent, no publishing
    consultation = card(waiting, 'id="inquiry-q1"')
    assert 'name="publish"' in consultation and "公开答复" in consultation
    escalated = card(waiting, 'id="inquiry-q4"')
    assert "/reply" not in escalated and "由政务服务管理部门答复" in escalated and "希望上级督办" in escalated
    answered = card(page[page.index('id="h-answered"') :], 'id="inquiry-q3"')
    assert "逾期答复" in answered and "可以免费邮寄。" in answered and "/reply" not in answered

    stand.answers[f"POST {EVAL}/inquiries/q1/reply"] = httpx.Response(
        200, json={**INQUIRY, "status": "INQUIRY_STATUS_ANSWERED", "published": True}
    )
    done = clerk.post(
        "/workbench/inquiries/q1/reply",
        data={"csrf": CSRF, "reply": " 可以，需提供房产证明。 ", "publish": "yes"},
    )
    assert (done.status_code, done.headers["location"]) == (303, "/workbench/inquiries")
    assert stand.sent()[-1] == (
        "POST",
        f"{EVAL}/inquiries/q1/reply",
        {"reply": "可以，需提供房产证明。", "publish": True},
    )
    assert "已答复“经营场所证明”，并公开到问答知识库。" in clerk.get("/workbench/inquiries").text

    stand.answers[f"POST {EVAL}/inquiries/q1/reply"] = refusal(
        422, "INVALID_ARGUMENT", "请求参数不正确", {"reply": "长度不能少于 2 个字符"}
    )
    page = clerk.post("/workbench/inquiries/q1/reply", data={"csrf": CSRF, "reply": "可", "publish": "yes"})
    assert page.status_code == 422
    assert "长度不能少于 2 个字符" in field_html(page.text, "reply-q1") and ">可</textarea>" in page.text
    assert re.search(r'id="f-publish-q1"[^>]*checked', page.text)
    assert re.search(
        r'<details class="wb-action" open>\s*<summary>答复<span class="cz-sr-only"> 经营场所证明', page.text
    )
    no_consent = "提问人未同意公开，不能公开答复。"
    stand.answers[f"POST {EVAL}/inquiries/q1/reply"] = refusal(
        422, "INVALID_ARGUMENT", no_consent, {"publish": no_consent}
    )
    page = clerk.post("/workbench/inquiries/q1/reply", data={"csrf": CSRF, "reply": "可以", "publish": "yes"})
    assert no_consent in field_html(page.text, "publish-q1")


def test_other_departments_and_the_tenant_admin_see_what_is_theirs(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    other = signed_in(OTHER_CLERK).get("/workbench/inquiries").text
    assert "/reply" not in other  # listed by the gateway as it sees fit; answered by the department only
    assert "锦江区市场监督管理局" in other  # whose it is

    admin = signed_in(TENANT_ADMIN).get("/workbench/inquiries").text
    assert "升级到本级政务服务管理部门的投诉" in admin
    assert "窗口态度差" in admin and "经营场所证明" not in admin and "多次补正" not in admin
    assert 'action="/workbench/inquiries/q4/reply"' in card(admin, 'id="inquiry-q4"')
    assert 'name="publish"' not in admin

    assert signed_in(SUPERVISOR).get("/workbench/inquiries").status_code == 403
    stand.answers["GET /api/v1/tasks"] = httpx.Response(200, json=[])
    assert "/workbench/inquiries" not in signed_in(SUPERVISOR).get("/workbench/tasks").text
    assert signed_in(CITIZEN, "citizen").get("/workbench/inquiries").status_code == 303


def test_the_search_shows_the_faqs_and_published_answers_of_its_words(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    anonymous = signed_in(None)
    page = anonymous.get("/search?q=字号").text
    kb = page[page.index('id="knowledge"') :]
    assert "问答知识库" in kb and FAQ["q"] in kb and FAQ["a"] in kb and "办理营业执照收费吗" not in kb
    assert f'<a href="/items/{ITEM_ID}#g-faqs">个体工商户设立登记</a>' in kb
    assert "没有与“字号”相关" not in kb

    page = anonymous.get("/search?q=邮寄 外地").text  # every word, in the answers too
    kb = page[page.index('id="knowledge"') :]
    assert PUBLISHED["reply"] in kb and PUBLISHED["question"] in kb and DEPT_NAME in kb
    assert "张三" not in kb and FAQ["q"] not in kb
    assert [r.url.params["query"] for r in stand.asked(f"{EVAL}/replies")][-1] == "邮寄"  # the longest word
    assert 'href="/replies?query=%E9%82%AE%E5%AF%84+%E5%A4%96%E5%9C%B0"' in kb

    stand.answers[f"GET {EVAL}/replies"] = refusal(503, "UNAVAILABLE", "服务暂时不可用")
    page = anonymous.get("/search?q=字号").text
    assert FAQ["q"] in page and "公开答复暂时无法检索" in page
    assert 'id="knowledge"' not in anonymous.get("/search").text  # no words, no knowledge base
    nothing = anonymous.get("/search?q=zzzz").text
    assert "问答知识库中没有与“zzzz”相关的内容。" in nothing


def test_the_public_answers_list_the_asked_the_answered_and_the_unit(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    anonymous = signed_in(None)
    page = anonymous.get("/replies").text
    assert "<h1>咨询投诉公开答复</h1>" in page and "共 1 条公开答复" in page
    entry = card(page, PUBLISHED["title"])
    for fact in (
        PUBLISHED["question"],
        PUBLISHED["reply"],
        "答复单位",
        DEPT_NAME,
        "2026-12-01",
        "2026-12-03",
    ):
        assert fact in entry, fact
    assert "张三" not in page
    found = anonymous.get("/replies?query=外地").text
    assert "与“外地”相关的公开答复 1 条" in found
    none = anonymous.get("/replies?query=户口").text
    assert "没有找到公开答复。" in none and PUBLISHED["reply"] not in none
    long = anonymous.get("/replies", params={"query": "长" * 51})
    assert (
        long.status_code == 422
        and '<p class="field-message" id="e-query">关键词不能超过 50 个字。' in long.text
    )
    stand.answers[f"GET {EVAL}/replies"] = refusal(503, "UNAVAILABLE", "服务暂时不可用")
    assert "公开答复暂时无法检索" in anonymous.get("/replies").text


def test_the_knowledge_base_matches_every_word_in_either_text() -> None:
    assert words_of(" ＡＢＣ  营业执照 ") == ["abc", "营业执照"]
    assert has_words(["营业执照", "邮寄"], "营业执照可以", "免费邮寄")
    assert not has_words(["营业执照", "外地"], "营业执照可以", "免费邮寄")
    entry = {"item_id": "a", "item_name": "", "dept_name": "", **FAQ}
    twice = matching_faqs("字号", [entry], [entry, {**entry, "item_id": "b"}])
    assert [e["item_id"] for e in twice] == ["a", "b"]  # each once, the search's hits first
    assert matching_faqs("  ", [entry]) == []
