"""A citizen's case driven through the gateway from search to 办结 by the demo accounts (SAMPLE DATA):
the end-to-end and browser tests start from it."""

from __future__ import annotations

import time
import uuid

import httpx

from ywtb.common.codes import make_credit_code
from ywtb.common.testing.demo import CITIZEN, FEE_FORM, FEE_ITEM, FORM, ID_NUMBER, PDF, submitted_case


def ok(reply: httpx.Response, status: int = 200) -> dict:
    """The JSON body of an answer that must have `status`."""
    assert reply.status_code == status, reply.text
    return reply.json()


def upload(client: httpx.Client, headers: dict[str, str], name: str) -> str:
    """Upload a small PDF as a material; its file id."""
    reply = client.post(
        "/api/v1/cases/materials", headers=headers, files={"file": (name, PDF, "application/pdf")}
    )
    return ok(reply, 201)["id"]


def task(client: httpx.Client, headers: dict[str, str], case_no: str, step: str) -> dict:
    """The case's open task of `step`, waited for up to 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tasks = ok(client.get("/api/v1/tasks", headers=headers, params={"case_no": case_no}))
        for found in tasks:
            if found["step"] == step:
                return found
        time.sleep(0.5)
    raise AssertionError(f"no {step} task for {case_no} within 60 s")


def do_task(
    client: httpx.Client, headers: dict[str, str], case_no: str, step: str, opinion: str, decision: str = ""
) -> dict:
    """Claim and complete the case's task of `step`; the answer."""
    open_task = task(client, headers, case_no, step)
    ok(client.post(f"/api/v1/cases/{case_no}/tasks/{open_task['task_id']}/claim", headers=headers))
    body = {"opinion": opinion, "decision": decision}
    return ok(
        client.post(
            f"/api/v1/cases/{case_no}/tasks/{open_task['task_id']}/complete", headers=headers, json=body
        )
    )


def run_case_to_completion(gateway: httpx.Client, login) -> str:  # type: ignore[no-untyped-def]
    """The whole flow; the case number."""
    citizen, clerk = login(gateway, "13800000001"), login(gateway, "jinjiang.clerk")
    approver = login(gateway, "jinjiang.approver")
    hit = ok(gateway.get("/api/v1/catalog/search", params={"q": "gtgsh"}))["hits"][0]
    assert hit["name"] == "个体工商户设立登记"
    guide = ok(gateway.get(f"/api/v1/catalog/items/{hit['item_id']}/guide"))
    applicant_materials = [
        m["name"]
        for m in guide["guide"]["materials"]
        if m["required"] and m["source"] == "MATERIAL_SOURCE_APPLICANT"
    ]
    assert len(applicant_materials) == 2
    first, second = applicant_materials
    body = {
        "item_id": hit["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {
            "applicant_type": 1,
            "name": "张三",
            "id_type": "111",
            "id_number": FORM["id_number"],
            "contact_mobile": "13800000001",
        },
        "form_data": FORM,
        "materials": [{"material_name": first, "file_ids": [upload(gateway, citizen, "申请书.pdf")]}],
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    case = ok(gateway.post("/api/v1/cases", headers={**citizen, **key}, json=body), 201)
    case_no = case["case_no"]
    assert case_no.startswith("510104") and case["status"] == "CASE_STATUS_CORRECTION_REQUESTED"
    assert second in str(case["deficiencies"])  # every missing main material, in one notice
    again = gateway.post("/api/v1/cases", headers={**citizen, **key}, json=body)
    assert again.status_code == 200 and again.json()["case_no"] == case_no  # a retried submit: one case

    supplement = {
        "materials": [{"material_name": second, "file_ids": [upload(gateway, citizen, "租赁合同.pdf")]}]
    }
    ok(gateway.post(f"/api/v1/cases/{case_no}/supplement", headers=citizen, json=supplement))
    accepted = ok(
        gateway.post(
            f"/api/v1/cases/{case_no}/accept",
            headers=clerk,
            json={"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"},
        )
    )
    assert accepted["status"] == "CASE_STATUS_ACCEPTED" and accepted["promised_completion_date"]

    do_task(gateway, clerk, case_no, "accept", "已受理")
    do_task(gateway, approver, case_no, "review", "审查通过")
    do_task(gateway, approver, case_no, "decide", "准予登记", "approve")
    done = do_task(gateway, clerk, case_no, "complete", "已办结，营业执照已发放")
    assert done["status"] == "CASE_STATUS_COMPLETED" and done["outcome"] == "DECISION_APPROVE"

    timeline = ok(gateway.get(f"/api/v1/cases/{case_no}/timeline", headers=citizen))
    assert timeline["status"] == "CASE_STATUS_COMPLETED"
    handlers = [entry["handler"] for entry in timeline["entries"]]
    assert len(handlers) == 4 and all("*" in h for h in handlers), handlers
    assert case_no in [c["case_no"] for c in ok(gateway.get("/api/v1/cases/mine", headers=citizen))]
    other_clerk = login(gateway, "qingyang.clerk")
    assert gateway.get(f"/api/v1/cases/{case_no}", headers=other_clerk).status_code == 403
    return case_no


FOOD_ITEM = "食品经营许可（新办）"
FOOD_FORM = {
    "entity_name": "张三小吃店",
    "credit_code": make_credit_code("92510104MA6CXQ0R0"),
    "premises": "成都市锦江区红星路一段1号",
    "main_business": "餐饮服务经营者",
    "business_items": "热食类食品制售",
    "area": 45,
    "contact_mobile": "13800000001",
}


def approved_food_case(gateway, login, given: dict[str, list[str]] | None = None) -> str:  # type: ignore[no-untyped-def]
    """张三's 食品经营许可（新办） submitted (materials uploaded, or as `given`: name -> file ids), accepted and
    approved; the case number."""
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
    approver = login(gateway, "jinjiang.approver")
    hit = next(
        h
        for h in ok(gateway.get("/api/v1/catalog/search", params={"q": "食品经营许可"}))["hits"]
        if h["name"] == FOOD_ITEM
    )
    guide = ok(gateway.get(f"/api/v1/catalog/items/{hit['item_id']}/guide"))
    materials = [
        {"material_name": m["name"], "file_ids": [upload(gateway, citizen, f"{m['name'][:20]}.pdf")]}
        for m in guide["guide"]["materials"]
        if m["required"] and m["source"] == "MATERIAL_SOURCE_APPLICANT"
    ] + [{"material_name": name, "file_ids": ids} for name, ids in (given or {}).items()]
    body = {
        "item_id": hit["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {"applicant_type": 1, "name": "张三", "id_type": "111", "id_number": ID_NUMBER},
        "form_data": FOOD_FORM,
        "materials": materials,
    }
    headers = {**citizen, "Idempotency-Key": str(uuid.uuid4())}
    case_no = ok(gateway.post("/api/v1/cases", headers=headers, json=body), 201)["case_no"]
    acceptance = {"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"}
    ok(gateway.post(f"/api/v1/cases/{case_no}/accept", headers=clerk, json=acceptance))
    do_task(gateway, clerk, case_no, "accept", "已受理")
    do_task(gateway, approver, case_no, "review", "审查通过")
    do_task(gateway, approver, case_no, "decide", "准予许可", "approve")
    return case_no


def approved_fee_case(gateway, login) -> str:  # type: ignore[no-untyped-def]
    """张三's 临时居民身份证申领 submitted, accepted and decided by the 公安 window clerk (its 工本费 then due);
    the case number."""
    case_no, _ = submitted_case(gateway, login, item=(FEE_ITEM, "临时身份证"), form=FEE_FORM)
    clerk = login(gateway, "jinjiang.police")
    acceptance = {"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"}
    ok(gateway.post(f"/api/v1/cases/{case_no}/accept", headers=clerk, json=acceptance))
    do_task(gateway, clerk, case_no, "accept_and_decide", "准予签发", "approve")
    return case_no


def fee_order(gateway, headers: dict[str, str], case_no: str, status: str, wait_s: float = 90) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The case's latest order in `status` (ORDER_STATUS_…), waited for; the charging works in the background."""
    deadline = time.monotonic() + wait_s
    while True:
        found = ok(gateway.get(f"/api/v1/payment/cases/{case_no}/orders", headers=headers))
        matching = [order for order in found if order["status"] == status]
        if matching:
            return matching[-1]
        assert time.monotonic() < deadline, f"no {status} order of {case_no} within {wait_s:g} s: {found}"
        time.sleep(0.5)


def paid_fee_case(gateway, login) -> tuple[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    """An approved fee case whose 工本费 张三 paid on the platform simulator's page (微信): its number and
    its paid order."""
    case_no = approved_fee_case(gateway, login)
    citizen = login(gateway, CITIZEN)
    notified = fee_order(gateway, citizen, case_no, "ORDER_STATUS_NOTIFIED")
    paid_page = httpx.post(notified["pay_url"], data={"channel": "wechat"}, timeout=10)
    assert paid_page.status_code == 200 and "缴款成功" in paid_page.text, paid_page.text[-500:]
    return case_no, fee_order(gateway, citizen, case_no, "ORDER_STATUS_PAID")


def completed_case(gateway, login) -> str:  # type: ignore[no-untyped-def]
    """张三's 个体工商户设立登记 submitted, accepted, approved and completed (办结) by the 锦江 clerk and approver;
    the case number."""
    case_no, _ = submitted_case(gateway, login)
    clerk, approver = login(gateway, "jinjiang.clerk"), login(gateway, "jinjiang.approver")
    acceptance = {"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"}
    ok(gateway.post(f"/api/v1/cases/{case_no}/accept", headers=clerk, json=acceptance))
    do_task(gateway, clerk, case_no, "accept", "已受理")
    do_task(gateway, approver, case_no, "review", "审查通过")
    do_task(gateway, approver, case_no, "decide", "准予登记", "approve")
    do_task(gateway, clerk, case_no, "complete", "已办结，电子营业执照已签发")
    return case_no


def rateable_case(gateway, citizen: dict[str, str], case_no: str, wait_s: float = 60) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The case's ratings once it is open to its applicant's rating (the services work in the background)."""
    deadline = time.monotonic() + wait_s
    while True:
        reply = gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen)
        if reply.status_code == 200 and reply.json()["rateable"]:
            return reply.json()
        assert time.monotonic() < deadline, f"{case_no} not open to rating within {wait_s:g} s: {reply.text}"
        time.sleep(0.5)


def rated_case(gateway, login, level: int, comment: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A completed case 张三 rated `level` with `comment` online: its number and the rating."""
    citizen = login(gateway, CITIZEN)
    case_no = completed_case(gateway, login)
    rateable_case(gateway, citizen, case_no)
    body = {
        "level": level,
        "comment": comment,
        "indicators": {"efficiency": level, "convenience": level},
        "channel": 1,
    }
    return case_no, ok(
        gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json=body), 201
    )


def rated_visit(gateway, login, level: int, headers: dict[str, str] | None = None) -> tuple[dict, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A visit the 锦江 clerk served at 3号窗口, rated `level` on the window's tablet (anonymous unless
    `headers` log the visitor in): the OpenVisit answer (visit, token) and the rating."""
    clerk = login(gateway, "jinjiang.clerk")
    opened = ok(gateway.post("/api/v1/evaluation/visits", headers=clerk, json={"window": "3号窗口"}), 201)
    body = {
        "level": level,
        "indicators": {"efficiency": level, "service_level": level, "attitude": level},
        "channel": 4,
    }
    reply = gateway.post(
        f"/api/v1/evaluation/visits/{opened['token']}/ratings", headers=headers or {}, json=body
    )
    return opened, ok(reply, 201)
