"""The demo cases of `make run`, driven through the gateway by the demo accounts (SAMPLE DATA): 张三's
个体工商户设立登记 to 办结, so the platform starts with an approved case and its 营业执照 in 我的证照; and his
临时居民身份证申领 decided twice: one 工本费 waiting to be paid on the non-tax platform simulator's page, the
other paid (its 临时居民身份证 issued) and 5.00 元 of it refunded by the 公安 department's admin; and a second
营业执照 case rated 不满意 (2), its rectification waiting for the 市场监管 window's callback, beside a published
consultation answer.

Each is skipped when 张三 holds a licence, or has a payment order, already (the embedded data outlives a
restart).
Run alone against a running platform: uv run python tools/demo_case.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import sys

import httpx

from ywtb.common.testing.case_flow import (
    approved_fee_case,
    completed_case,
    ok,
    paid_fee_case,
    rated_case,
    rated_visit,
)
from ywtb.common.testing.demo import CITIZEN

TOKEN_PATH = "/realms/ywtb/protocol/openid-connect/token"  # the gateway's built-in issuer
PASSWORD = "Demo2026ywtb"


def login(gateway: httpx.Client, username: str) -> dict[str, str]:
    """A demo account's bearer header from the built-in issuer (password grant of the workbench client)."""
    body = {"grant_type": "password", "client_id": "workbench", "username": username, "password": PASSWORD}
    return {"Authorization": f"Bearer {ok(gateway.post(TOKEN_PATH, data=body))['access_token']}"}


def drive(base_url: str, *, again: bool = False) -> str | None:
    """Submit, accept and approve the demo case; its number (None when 张三 has a licence and not `again`)."""
    with httpx.Client(base_url=base_url, timeout=30) as gateway:
        if not again and ok(gateway.get("/api/v1/licence/licences/mine", headers=login(gateway, CITIZEN))):
            return None
        return completed_case(gateway, login)


def drive_fee_case(base_url: str) -> str | None:
    """The fee case, decided (its order awaits payment); None when 张三 has a payment order already."""
    with httpx.Client(base_url=base_url, timeout=30) as gateway:
        if ok(gateway.get("/api/v1/payment/orders/mine", headers=login(gateway, CITIZEN))):
            return None
        return approved_fee_case(gateway, login)


def drive_refunded_fee_case(base_url: str) -> str:
    """A fee case paid on the platform simulator, then 5.00 元 refunded (the workbench's 退款 shows it)."""
    with httpx.Client(base_url=base_url, timeout=30) as gateway:
        case_no, order = paid_fee_case(gateway, login)
        body = {"amount_fen": 500, "expected_refundable_fen": 1000, "reason": "多收工本费，退还 5 元（示例）"}
        headers = {**login(gateway, "jinjiang.policeadmin"), "Idempotency-Key": f"demo-refund-{case_no}"}
        ok(
            gateway.post(f"/api/v1/payment/orders/{order['order_no']}/refunds", headers=headers, json=body),
            201,
        )
        return case_no


def drive_rated_case(base_url: str) -> str:
    """A completed case rated 不满意 (its rectification opens), a window visit rated 非常满意 on the hall
    tablet (一次一评), and a consultation answered and published."""
    with httpx.Client(base_url=base_url, timeout=30) as gateway:
        case_no, _ = rated_case(gateway, login, 2, "窗口等候时间较长（示例）")
        rated_visit(gateway, login, 5)
        citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
        item_id = ok(gateway.get(f"/api/v1/cases/{case_no}", headers=citizen))["item_id"]
        question = {
            "kind": "consultation",
            "title": "个体户登记需要原件吗（示例）",
            "question": "网上申请个体工商户设立登记，还需要到窗口交经营场所证明原件吗？",
            "item_id": item_id,
            "consent_to_publish": True,
        }
        asked = ok(gateway.post("/api/v1/evaluation/inquiries", headers=citizen, json=question), 201)
        answer = {"reply": "网上申请时上传电子件即可，无需再交原件（示例）。", "publish": True}
        ok(gateway.post(f"/api/v1/evaluation/inquiries/{asked['id']}/reply", headers=clerk, json=answer))
        return case_no


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    done = drive(base)
    print(f"demo case {done} approved" if done else "the demo citizen holds a licence already: nothing to do")
    fee = drive_fee_case(base)
    print(
        f"demo fee case {fee} decided: its fee awaits payment"
        if fee
        else "the demo citizen has a fee order already"
    )
    if fee:
        print(f"demo fee case {drive_refunded_fee_case(base)} paid, 5.00 元 refunded")
        print(
            f"demo case {drive_rated_case(base)} rated 不满意: its rectification awaits the callback;"
            " a window visit rated 非常满意 on the tablet"
        )
