"""Nothing typed is lost when the login is gone at a POST: the draft kept in the session and given back once."""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from ywtb.common.codes import make_credit_code
from ywtb.portal import drafts
from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway
from ywtb.portal.session import COOKIE, LocalSessionStore, Session

SESSION = "s" * 43
CSRF = "the-csrf-token"
ADMIN = {"subject": "staff-admin", "name": "王五", "roles": ["tenant_admin"], "tenant": "510104", "dept": ""}
CLERK = {"subject": "staff-clerk", "name": "李四", "roles": ["window_clerk"], "tenant": "510104", "dept": ""}
CITIZEN = {"subject": "person-1", "name": "张三", "roles": ["citizen"]}
DEPT = make_credit_code("11510104MB1234567")
CASE_NO = "5101042026000001"
GUIDE = {
    "item_id": "item-1",
    "version": 3,
    "dept_name": "锦江区市场监督管理局",
    "guide": {
        "name": "个体工商户设立登记",
        "service_objects": ["SERVICE_OBJECT_NATURAL_PERSON"],
        "materials": [{"name": "申请书", "required": True, "source": "MATERIAL_SOURCE_APPLICANT"}],
        "form_schema": {
            "type": "object",
            "required": ["trade_name"],
            "properties": {
                "trade_name": {"type": "string", "title": "字号"},
                "scope": {"type": "string", "title": "经营范围", "maxLength": 500},
            },
        },
    },
}
CASE = {
    "case_no": CASE_NO,
    "status": "CASE_STATUS_SUBMITTED",
    "item_id": "item-1",
    "item_version": 3,
    "item_name": "个体工商户设立登记",
    "applicant": {"name": "张三"},
    "materials": [],
    "submitted_at": "2026-03-02T01:00:00Z",
    "received_at": "2026-03-02T01:00:00Z",
}
ITEM = {
    "id": "it-1",
    "status": "ITEM_STATUS_SUBMITTED",
    "tenant": "510104",
    "dept": DEPT,
    "dept_name": "锦江区市场监督管理局",
    "basic_code": "B001",
    "keywords": "",
    "revision": 4,
    "latest_version": 0,
    "published_version": 0,
    "updated_by": "",
    "updated_at": "2026-03-02T01:00:00Z",
    "guide": {"name": "个体工商户设立登记", "service_objects": []},
}
CORRECTION = {
    **CASE,
    "case_no": "5101042026000002",
    "status": "CASE_STATUS_CORRECTION_REQUESTED",
    "correction_round": 1,
    "deficiencies": [
        {"subject": "申请书", "requirement": "请签字"},
        {"subject": "字号", "requirement": "重填"},
    ],
    "form_data": {"trade_name": "旧字号"},
}
TASK = {
    "task_id": "t1",
    "case_no": CASE_NO,
    "title": "审查",
    "claimed_by": "staff-approver",
    "started_at": "",
}
READS = {
    "/api/v1/catalog/items/item-1/guide": GUIDE,
    "/api/v1/persons/person-1": {"name": "张三", "id_number": ""},
    "/api/v1/tenants/510104/departments": [{"credit_code": DEPT, "name": "锦江区市场监督管理局"}],
    f"/api/v1/cases/{CASE_NO}": CASE,
    f"/api/v1/cases/{CASE_NO}/materials": [],
    "/api/v1/catalog/items/it-1": ITEM,
    "/api/v1/catalog/items/it-2": {**ITEM, "id": "it-2", "status": "ITEM_STATUS_DRAFT"},
    "/api/v1/cases/5101042026000002": CORRECTION,
    "/api/v1/tasks": [TASK],
}


def _gateway(request: httpx.Request) -> httpx.Response:
    """The gateway's reads the pages make; anything else is not found."""
    if request.method == "GET" and request.url.path in READS:
        return httpx.Response(200, json=READS[request.url.path])
    return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})


@pytest.fixture
def store() -> LocalSessionStore:
    return LocalSessionStore()


@pytest.fixture
def client(store: LocalSessionStore) -> TestClient:
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(_gateway))
    client = TestClient(create_app(settings, gateway=gateway, store=store), follow_redirects=False)
    client.cookies.set(COOKIE, SESSION)
    return client


def signed_in(store: LocalSessionStore, area: str, me: dict[str, Any], expires_in: float = 1800) -> None:
    """The session signed in as `me`; a negative `expires_in`: a token past its end and no refresh token."""
    data = store.load(SESSION) or {"csrf": CSRF}
    data.setdefault("auth", {})[area] = {
        "access_token": "token",
        "refresh_token": "",
        "id_token": "",
        "expires_at": time.time() + expires_in,
        "me": me,
    }
    store.save(SESSION, data, 3600)


def signed_out(store: LocalSessionStore, area: str, me: dict[str, Any]) -> None:
    """The session after `me` logged out of `area` (in another tab, say)."""
    data = store.load(SESSION) or {"csrf": CSRF}
    data.setdefault("auth", {}).pop(area, None)
    data.setdefault("last_login", {})[area] = me["subject"]
    store.save(SESSION, data, 3600)


def session(store: LocalSessionStore) -> dict[str, Any]:
    return store.load(SESSION) or {}


def text(reply: httpx.Response) -> str:
    return unescape(reply.text)


def restored(reply: httpx.Response) -> bool:
    return "您重新登录前填写的内容已填回表单" in reply.text


def test_a_form_posted_after_the_login_expired_comes_back_filled_once(
    client: TestClient, store: LocalSessionStore
) -> None:
    signed_in(store, "staff", ADMIN, expires_in=-60)
    typed = {"csrf": CSRF, "credit_code": DEPT, "name": "锦江区测试局<新>", "short_name": "测试局"}
    reply = client.post("/admin/departments/new?tenant=510104", data=typed)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?area=staff&next=" + quote(
        "/admin/departments/new?tenant=510104", safe=""
    )
    kept = session(store)["drafts"]["/admin/departments/new"]
    assert kept["form"] == {k: v for k, v in typed.items() if k != "csrf"}  # never the CSRF token
    assert kept["owner"] == ["staff", ADMIN["subject"]] and "staff" not in session(store)["auth"]

    signed_in(store, "staff", ADMIN)  # logged in again at the issuer
    page = client.get("/admin/departments/new?tenant=510104")
    assert page.status_code == 200 and restored(page)
    for value in (DEPT, "锦江区测试局<新>", "测试局"):
        assert f'value="{value}"' in text(page), value
    again = client.get("/admin/departments/new?tenant=510104")
    assert not restored(again) and "锦江区测试局" not in again.text  # once only
    assert session(store)["drafts"] == {}


def test_passwords_and_files_are_never_kept(client: TestClient, store: LocalSessionStore) -> None:
    signed_in(store, "staff", ADMIN, expires_in=-60)
    typed = {
        "csrf": CSRF,
        "name": "赵六",
        "username": "jinjiang.zhao",
        "dept": DEPT,
        "roles": ["window_clerk", "approver"],
        "mobile": "13900000002",
        "initial_password": "Secret2026zz",
    }
    assert client.post("/admin/staff/new", data=typed).status_code == 303
    kept = session(store)["drafts"]["/admin/staff/new"]["form"]
    assert "initial_password" not in kept and "csrf" not in kept
    assert kept["roles"] == ["window_clerk", "approver"]
    signed_in(store, "staff", ADMIN)
    page = client.get("/admin/staff/new")
    assert restored(page)
    for value in ("赵六", "jinjiang.zhao", "13900000002"):
        assert f'value="{value}"' in page.text, value
    assert re.search(r'value="approver"[^>]*checked', page.text) and "Secret2026zz" not in page.text

    signed_in(store, "citizen", CITIZEN, expires_in=-60)
    files = {"material.0": ("申请书.pdf", b"%PDF-1.4\n", "application/pdf")}
    form = {"csrf": CSRF, "item_version": "3", "form.trade_name": "张三百货", "form.scope": "日用百货零售"}
    assert client.post("/items/item-1/apply", data=form, files=files).status_code == 303
    kept = session(store)["drafts"]["/items/item-1/apply"]["form"]
    assert kept == {"item_version": "3", "form.trade_name": "张三百货", "form.scope": "日用百货零售"}
    signed_in(store, "citizen", CITIZEN)
    page = client.get("/items/item-1/apply")
    assert restored(page) and "重新选择" in page.text
    assert 'value="张三百货"' in page.text and ">日用百货零售</textarea>" in page.text


def test_no_draft_without_the_session_csrf_token(client: TestClient, store: LocalSessionStore) -> None:
    signed_out(store, "staff", ADMIN)  # the form is not read before the login is asked for
    reply = client.post("/admin/departments/new", data={"csrf": "forged", "name": "x", "credit_code": DEPT})
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login?area=staff")
    assert not session(store).get("drafts")
    reply = client.post("/admin/departments/new", data={"csrf": CSRF, "name": "x", "credit_code": DEPT})
    assert session(store)["drafts"]["/admin/departments/new"]["form"] == {"name": "x", "credit_code": DEPT}


def test_another_account_does_not_get_the_draft(client: TestClient, store: LocalSessionStore) -> None:
    signed_in(store, "staff", ADMIN, expires_in=-60)
    client.post("/admin/departments/new", data={"csrf": CSRF, "credit_code": DEPT, "name": "锦江区测试局"})
    signed_in(store, "staff", {**ADMIN, "subject": "staff-other"})
    page = client.get("/admin/departments/new")
    assert page.status_code == 200 and not restored(page) and "锦江区测试局" not in page.text
    assert session(store)["drafts"] == {}  # dropped, not kept for later


def test_an_action_comes_back_to_the_page_its_form_is_on(
    client: TestClient, store: LocalSessionStore
) -> None:
    signed_out(store, "staff", CLERK)
    reason = "申请事项不属于本部门职权范围"
    reply = client.post(f"/workbench/cases/{CASE_NO}/reject", data={"csrf": CSRF, "reason": reason})
    assert reply.headers["location"] == "/login?area=staff&next=" + quote(
        f"/workbench/cases/{CASE_NO}", safe=""
    )
    signed_in(store, "staff", CLERK)
    page = client.get(f"/workbench/cases/{CASE_NO}")
    assert page.status_code == 200 and restored(page)
    assert f">{reason}</textarea>" in page.text
    assert re.search(r'<details class="wb-action" open>\s*<summary>不予受理', page.text)

    # the Referer of this site names the page (its query too); another site's is ignored
    referer = {"Referer": "http://portal.test/workbench/tasks?x=1"}
    signed_in(store, "staff", CLERK, expires_in=-60)
    reply = client.post(f"/workbench/tasks/{CASE_NO}/t1/complete", data={"csrf": CSRF}, headers=referer)
    assert reply.headers["location"].endswith(quote("/workbench/tasks?x=1", safe=""))
    signed_in(store, "staff", CLERK, expires_in=-60)
    evil = {"Referer": "http://evil.test/workbench/tasks"}
    reply = client.post(f"/workbench/cases/{CASE_NO}/accept", data={"csrf": CSRF}, headers=evil)
    assert reply.headers["location"].endswith(quote(f"/workbench/cases/{CASE_NO}", safe=""))


def test_drafts_are_few_small_and_short_lived() -> None:
    kept = Session("id", {"csrf": CSRF})
    for n in range(drafts.MAX_DRAFTS + 2):
        assert drafts.keep(kept, f"/page/{n}", f"/page/{n}", ("staff", "me"), {"text": str(n)})
    assert list(kept[drafts.DRAFTS]) == [f"/page/{n}" for n in range(2, drafts.MAX_DRAFTS + 2)]
    assert not drafts.keep(kept, "/big", "/big", ("staff", "me"), {"text": "x" * drafts.MAX_CHARS})
    kept[drafts.DRAFTS]["/page/2"]["at"] -= drafts.TTL_S + 1
    assert drafts.take(kept, "/page/2", ("staff", "me"), "/page/2") is None
    found = drafts.take(kept, "/page/3", ("staff", "me"), "/page/3")
    assert found is not None and found.form == {"text": "3"}
    assert drafts.take(kept, "/page/4", ("staff", "me"), "/other") is None  # another form of the page
    assert "/page/4" not in kept[drafts.DRAFTS]


@pytest.mark.parametrize(
    ("area", "me", "action", "typed", "page_path", "shown"),
    [
        (
            "staff",
            ADMIN,
            "/admin/items/it-1/return",
            {"return_reason": "办理时限与法定时限不符"},
            "/admin/items/it-1",
            ">办理时限与法定时限不符</textarea>",
        ),
        (
            "staff",
            {**ADMIN, "roles": ["platform_admin"]},
            "/admin/items/it-2/edit",
            {
                "revision": "4",
                "name": "个体工商户设立登记（改）",
                "legal_basis": "《促进个体工商户发展条例》",
            },
            "/admin/items/it-2/edit",
            'value="个体工商户设立登记（改）"',
        ),
        (
            "citizen",
            CITIZEN,
            "/cases/5101042026000002/supplement",
            {"form.trade_name": "新字号百货"},
            "/cases/5101042026000002",
            'value="新字号百货"',
        ),
        (
            "staff",
            {**CLERK, "subject": "staff-approver", "roles": ["approver"]},
            f"/workbench/tasks/{CASE_NO}/t1/complete",
            {"opinion": "材料真实有效，同意", "back": "tasks"},
            "/workbench/tasks",
            ">材料真实有效，同意</textarea>",
        ),
    ],
)
def test_every_form_page_takes_its_draft(
    client: TestClient,
    store: LocalSessionStore,
    area: str,
    me: dict[str, Any],
    action: str,
    typed: dict[str, str],
    page_path: str,
    shown: str,
) -> None:
    signed_out(store, area, me)
    reply = client.post(
        action, data={"csrf": CSRF, **typed}, headers={"Referer": "http://portal.test" + page_path}
    )
    assert reply.headers["location"] == f"/login?area={area}&next=" + quote(page_path, safe="")
    signed_in(store, area, me)
    page = client.get(page_path)
    assert page.status_code == 200 and restored(page)
    assert shown in page.text
    assert shown not in client.get(page_path).text
