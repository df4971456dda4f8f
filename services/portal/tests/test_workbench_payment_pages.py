"""The workbench's payment pages against a stand-in gateway: who sees which page and form, what is posted
(fen, idempotency keys, the refundable amount seen), and the gateway's refusals next to the right field."""

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
CLERK = {"subject": "c-1", "tenant": "510104", "dept": "D1", "roles": ["window_clerk"], "name": "吴户政"}
ADMIN = {**CLERK, "subject": "a-1", "roles": ["dept_admin"], "name": "郑财务"}
TENANT_ADMIN = {**CLERK, "subject": "t-1", "roles": ["tenant_admin"], "name": "金锦江"}
LINE = {
    "name": "临时居民身份证工本费",
    "standard": "10元/证",
    "basis": "价格主管部门文件",
    "amount_fen": "1000",
    "quantity": 1,
    "reduction_fen": "0",
    "reduction_basis": "",
}
BASE = {
    "case_no": "510104-20261201-000001",
    "payer_name": "张三",
    "lines": [LINE],
    "total_fen": "1000",
    "notice_no": "51010420261201000017",
    "pay_url": "",
    "expires_at": "2026-12-16T00:00:00Z",
    "paid_fen": "0",
    "channel": "",
    "receipt_no": "",
    "created_at": "2026-12-01T02:00:00Z",
    "created_by": "",
    "refunds": [],
    "refunded_fen": "0",
    "refundable_fen": "0",
}
UNPAID = {**BASE, "order_no": "PO1", "status": "ORDER_STATUS_NOTIFIED"}
PAID = {
    **BASE,
    "order_no": "PO2",
    "status": "ORDER_STATUS_PAID",
    "paid_fen": "1000",
    "paid_at": "2026-12-01T03:00:00Z",
    "channel": "wechat",
    "receipt_no": "R1",
    "refundable_fen": "1000",
}
EXPIRED = {**BASE, "order_no": "PO3", "status": "ORDER_STATUS_EXPIRED"}
MISMATCH = {
    "id": "7",
    "day": "2026-12-01",
    "kind": "amount",
    "notice_no": "51010420261201000017",
    "order_no": "PO1",
    "tenant": "510104",
    "dept": "D1",
    "expected_fen": "1000",
    "platform_fen": "900",
    "status": "open",
    "found_at": "2026-12-01T03:00:00Z",
    "resolution": "",
    "resolved_by": "",
}


class Stand:
    """The gateway as the portal sees it: canned answers by "METHOD path", every request kept."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {
            "GET /api/v1/payment/orders": httpx.Response(200, json=[UNPAID, PAID, EXPIRED]),
            "GET /api/v1/payment/mismatches": httpx.Response(200, json=[MISMATCH]),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = self.answers.get(f"{request.method} {request.url.path}")
        if found is None:
            return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "不存在"}})
        return found

    def posted(self) -> list[tuple[str, dict[str, Any], httpx.Headers]]:
        """(path, JSON body, headers) of every POST."""
        return [(r.url.path, json.loads(r.content), r.headers) for r in self.requests if r.method == "POST"]


def refusal(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "fields": fields or {}}})


@pytest.fixture
def stand() -> Stand:
    return Stand()


@pytest.fixture
def signed_in(stand: Stand):  # type: ignore[no-untyped-def]
    """`signed_in(user)`: a client whose session holds the staff login of `user`."""
    store = LocalSessionStore()
    settings = PortalSettings(gateway_url="http://gateway.test", public_url="http://portal.test")
    gateway = Gateway(settings.gateway_url, transport=httpx.MockTransport(stand))
    app = create_app(settings, gateway=gateway, store=store)

    def make(user: dict[str, Any]) -> TestClient:
        login = {"access_token": "at", "refresh_token": "", "id_token": "", "expires_at": time.time() + 600}
        store.save(user["subject"], {"csrf": CSRF, "auth": {"staff": {**login, "me": user}}}, 600)
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, user["subject"])
        return client

    return make


def field_html(page: str, name: str) -> str:
    """The markup of the form field whose input is `f-<name>`, from its wrapper to its end."""
    start = page.rindex('<div class="field', 0, page.index(f'id="f-{name}"'))
    return page[start : page.index("</div>", page.index(f'id="f-{name}"'))]


def test_each_role_sees_the_pages_and_forms_it_may_use(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    clerk = signed_in(CLERK)
    page = clerk.get("/workbench/payments", params={"status": "ORDER_STATUS_PAID", "case_no": "510104-1"})
    assert page.status_code == 200
    assert '<a href="/workbench/payments" aria-current="page">缴费订单</a>' in page.text
    assert "/workbench/reconciliation" not in page.text
    assert stand.requests[-1].url.params["status"] == "ORDER_STATUS_PAID"
    assert stand.requests[-1].url.params["case_no"] == "510104-1"
    assert page.text.count('/orders" novalidate') == 2  # 减免重开 of the notified and the expired order
    assert "/refunds" not in page.text and "/late-payment" not in page.text
    assert clerk.get("/workbench/reconciliation").status_code == 403

    admin = signed_in(ADMIN).get("/workbench/payments").text
    assert 'action="/workbench/payments/orders/PO2/refunds"' in admin
    assert 'name="expected_refundable_fen" value="1000"' in admin
    assert 'action="/workbench/payments/orders/PO3/late-payment"' in admin
    assert "/workbench/reconciliation" in admin
    assert "微信" in admin and "10.00 元" in admin and "已过期" in admin

    tenant = signed_in(TENANT_ADMIN)
    assert tenant.get("/workbench/payments").status_code == 403
    report = tenant.get("/workbench/reconciliation")
    assert report.status_code == 200 and "金额不符" in report.text and "按日对账" in report.text
    assert "按日对账" not in signed_in(ADMIN).get("/workbench/reconciliation").text


def test_every_render_carries_fresh_idempotency_keys(signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(ADMIN)
    keys = [
        re.findall(r'name="idempotency_key" value="(\w+)"', admin.get("/workbench/payments").text)
        for _ in "ab"
    ]
    assert len(keys[0]) == 3 and len(set(keys[0] + keys[1])) == 6  # two reductions, one refund, per render


def test_a_reduction_posts_fen_under_the_forms_idempotency_key(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    reissued = {**UNPAID, "order_no": "PO9", "total_fen": "500"}
    stand.answers[f"POST /api/v1/payment/cases/{UNPAID['case_no']}/orders"] = httpx.Response(
        201, json=reissued
    )
    clerk = signed_in(CLERK)
    form = {
        "csrf": CSRF,
        "order_no": "PO1",
        "idempotency_key": "key-1",
        "reduction.0": "5.00",
        "basis.0": "低保对象减免文件",
        "reason": "依申请减免",
        "status": "ORDER_STATUS_NOTIFIED",
    }
    done = clerk.post(f"/workbench/payments/cases/{UNPAID['case_no']}/orders", data=form)
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/workbench/payments?status=ORDER_STATUS_NOTIFIED",
    )
    ((path, body, headers),) = stand.posted()
    assert body == {
        "reason": "依申请减免",
        "reductions": [{"fee_name": LINE["name"], "reduction_fen": 500, "basis": "低保对象减免文件"}],
    }
    assert headers["idempotency-key"] == "key-1"
    assert (
        "已重新开具办件 510104-20261201-000001 的缴费订单 PO9，应缴 5.00 元"
        in clerk.get("/workbench/payments").text
    )


def test_a_bad_amount_is_refused_next_to_its_field_with_what_was_typed(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(ADMIN)
    form = {
        "csrf": CSRF,
        "order_no": "PO2",
        "amount": "3.333",
        "reason": "重复缴费",
        "expected_refundable_fen": "1000",
    }
    page = admin.post("/workbench/payments/orders/PO2/refunds", data=form)
    assert page.status_code == 422 and not stand.posted()
    amount = field_html(page.text, "refund_amount-PO2")
    assert 'value="3.333"' in amount and 'aria-invalid="true"' in amount
    assert "金额格式不正确，请填写元数，最多两位小数" in amount
    assert "重复缴费</textarea>" in page.text
    assert '<a href="#f-refund_amount-PO2">' in page.text  # the summary leads to the field
    assert re.search(r'<details class="wb-action" open>\s*<summary>退款', page.text)


def test_a_stale_refundable_amount_is_told_on_the_amount_field(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    stale = "该订单可退金额已变为 7.00 元（您核对时为 10.00 元），可能已有其他退款；请刷新后重新核对。"
    stand.answers["POST /api/v1/payment/orders/PO2/refunds"] = refusal(
        412, "PAYMENT_REFUNDABLE_CHANGED", stale
    )
    stand.answers["GET /api/v1/payment/orders"] = httpx.Response(
        200, json=[{**PAID, "refundable_fen": "700"}]
    )
    admin = signed_in(ADMIN)
    form = {
        "csrf": CSRF,
        "amount": "2",
        "reason": "重复缴费",
        "expected_refundable_fen": "1000",
        "idempotency_key": "k",
    }
    page = admin.post("/workbench/payments/orders/PO2/refunds", data=form)
    assert page.status_code == 412
    ((path, body, headers),) = stand.posted()
    assert body == {"amount_fen": 200, "expected_refundable_fen": 1000, "reason": "重复缴费"}
    assert headers["idempotency-key"] == "k"
    amount = field_html(page.text, "refund_amount-PO2")
    assert html.escape(stale, quote=False) in amount and 'value="2"' in amount
    assert 'name="expected_refundable_fen" value="700"' in page.text  # checked against the fresh amount next


def test_the_gateways_field_messages_land_next_to_the_fields(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    exceeds = refusal(
        422,
        "PAYMENT_REFUND_EXCEEDS_PAID",
        "退款金额不能超过可退金额 10.00 元。",
        {"amount_fen": "退款金额不能超过可退金额 10.00 元。"},
    )
    stand.answers["POST /api/v1/payment/orders/PO2/refunds"] = exceeds
    admin = signed_in(ADMIN)
    form = {"csrf": CSRF, "amount": "11", "reason": "重复缴费", "expected_refundable_fen": "1000"}
    page = admin.post("/workbench/payments/orders/PO2/refunds", data=form)
    assert page.status_code == 422
    assert "退款金额不能超过可退金额 10.00 元。" in field_html(page.text, "refund_amount-PO2")

    short = refusal(422, "INVALID_ARGUMENT", "请检查", {"reductions[0].basis": "长度不能少于 2 个字符"})
    stand.answers[f"POST /api/v1/payment/cases/{UNPAID['case_no']}/orders"] = short
    clerk = signed_in(CLERK)
    form = {
        "csrf": CSRF,
        "order_no": "PO1",
        "reduction.0": "1",
        "basis.0": "文件依据",
        "reason": "依申请减免",
    }
    page = clerk.post(f"/workbench/payments/cases/{UNPAID['case_no']}/orders", data=form)
    assert page.status_code == 422
    basis = field_html(page.text, "basis-PO1-0")
    assert "长度不能少于 2 个字符" in basis and 'value="文件依据"' in basis

    late = refusal(
        409, "PAYMENT_NOT_PAID_ON_PLATFORM", "缴款平台未显示该订单已足额缴款，不能认可；请核实后再办理。"
    )
    stand.answers["POST /api/v1/payment/orders/PO3/late-payment"] = late
    page = admin.post("/workbench/payments/orders/PO3/late-payment", data={"csrf": CSRF, "reason": "已核实"})
    assert page.status_code == 409 and "缴款平台未显示该订单已足额缴款" in page.text
    assert "已核实</textarea>" in page.text
    assert signed_in(CLERK).post("/workbench/payments/orders/PO2/refunds", data=form).status_code == 403


def test_a_mismatch_is_resolved_with_a_reason_and_a_day_reconciled(signed_in, stand: Stand) -> None:  # type: ignore[no-untyped-def]
    resolved = {**MISMATCH, "status": "resolved", "resolution": "已退付多收款项"}
    stand.answers["POST /api/v1/payment/mismatches/7/resolution"] = httpx.Response(200, json=resolved)
    admin = signed_in(ADMIN)
    done = admin.post(
        "/workbench/reconciliation/mismatches/7/resolution", data={"csrf": CSRF, "reason": " 已退付多收款项 "}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/workbench/reconciliation")
    assert stand.posted()[-1][:2] == ("/api/v1/payment/mismatches/7/resolution", {"reason": "已退付多收款项"})
    assert (
        "已处理对账差异（金额不符，缴款通知书 51010420261201000017）"
        in admin.get("/workbench/reconciliation").text
    )
    assert (
        admin.post("/workbench/reconciliation/mismatches/x/resolution", data={"csrf": CSRF}).status_code
        == 404
    )
    assert (
        admin.post("/workbench/reconciliation/days", data={"csrf": CSRF, "day": "2026-12-01"}).status_code
        == 403
    )

    short = refusal(422, "INVALID_ARGUMENT", "请检查", {"reason": "长度不能少于 2 个字符"})
    stand.answers["POST /api/v1/payment/mismatches/7/resolution"] = short
    page = admin.post(
        "/workbench/reconciliation/mismatches/7/resolution", data={"csrf": CSRF, "reason": "好"}
    )
    assert page.status_code == 422 and "长度不能少于 2 个字符" in field_html(page.text, "resolve_reason-7")

    day = {"day": "2026-12-01", "lines": 3, "matched": 2, "mismatched": 1}
    stand.answers["POST /api/v1/payment/reconciliations"] = httpx.Response(200, json=day)
    tenant = signed_in(TENANT_ADMIN)
    assert (
        tenant.post("/workbench/reconciliation/days", data={"csrf": CSRF, "day": "2026-12-01"}).status_code
        == 303
    )
    assert stand.posted()[-1][1] == {"day": "2026-12-01"}
    shown = tenant.get("/workbench/reconciliation").text
    assert "已完成 2026-12-01 的对账：对账单 3 笔，一致 2 笔，差异 1 笔。" in shown
