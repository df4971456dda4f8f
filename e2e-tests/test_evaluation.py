"""好差评 end to end through the gateway on the embedded platform: 张三's completed 个体工商户 case is open to
his rating; he rates it 1 (非常不满意); a rectification opens for the handling department with its callback
due in one working day; the clerk sees the rater masked, the department admin in full, a clerk of another
department nothing; the clerk calls back and records the rectification; 张三 sees the result and confirms
it; a second rating is refused, a follow-up accepted once; the department appeals another bad review and
the tenant admin's approval takes it out of the indicators without deleting it.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from ywtb.common.calendar import local_date
from ywtb.common.events.envelope import Event
from ywtb.common.events.kafka import KafkaBus
from ywtb.common.testing.bus import quiet
from ywtb.common.testing.case_flow import completed_case, ok, rated_case, rated_visit
from ywtb.common.testing.demo import CITIZEN
from ywtb.common.testing.sms import last_message
from ywtb.evaluation.province import HttpProvincialRatingsPlatform

RATING_TOPIC = "ywtb.evaluation.rating.v1"


def _bad_review(gateway: httpx.Client, login, comment: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A completed case 张三 rated 1 (its completion the only stage the tenant rates)."""
    case_no, rating = rated_case(gateway, login, 1, comment)
    stages = ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=login(gateway, CITIZEN)))
    assert [(s["stage"], s["rated"]) for s in stages["rateable"]] == [("STAGE_COMPLETION", True)]
    return case_no, rating


def test_a_bad_review_is_called_back_rectified_and_confirmed(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    check_rectification(embedded_gateway, login, who_sees=True)


@pytest.mark.integration
def test_on_the_local_stack_the_ratings_events_reach_kafka_in_order(local_gateway, login) -> None:  # type: ignore[no-untyped-def]
    """A subscriber of the public rating topic sees one case's rating and rectification, in order, no rater."""
    bus = KafkaBus(os.environ["YWTB_KAFKA_BOOTSTRAP"], client_id="e2e-rating-subscriber")
    with bus.subscribe(f"e2e-ratings-{uuid.uuid4().hex[:8]}", [RATING_TOPIC], start="latest") as sub:
        quiet(sub, 5)  # joined: from now on every new event reaches this group
        case_no = check_rectification(local_gateway, login, who_sees=False)
        seen: list = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(seen) < 6:
            record = sub.poll(1.0)
            if record is not None and record.key == case_no:
                seen.append(record)
    bus.close()
    assert [r.header("ce_type").rsplit(".", 1)[-1] for r in seen] == [
        "RatingSubmitted",
        "BadReviewOpened",
        "RectificationChanged",
        "RectificationChanged",
        "RectificationChanged",
        "RatingSubmitted",
    ]
    statuses = [Event.from_record(r).json().get("status") for r in seen[2:5]]
    assert statuses == ["called_back", "rectified", "confirmed"]
    assert all(
        "张三" not in str(Event.from_record(r).json()) and "rater" not in Event.from_record(r).json()
        for r in seen
    )


def check_rectification(gateway: httpx.Client, login, *, who_sees: bool) -> str:  # type: ignore[no-untyped-def]
    """A bad review called back, rectified, confirmed and followed up (the case number); with `who_sees`,
    the rater masked to the clerk, whole to the department admin, hidden from another department."""
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
    case_no, rating = _bad_review(gateway, login, "窗口等候时间太长")
    assert (rating["level"], rating["rater_name"], rating["real_name"]) == (1, "张三", True)
    if who_sees:
        check_who_sees_the_rater(gateway, login, case_no)

    (rectification,) = [
        r
        for r in ok(gateway.get("/api/v1/evaluation/rectifications?open_only=true", headers=clerk))
        if r["case_no"] == case_no
    ]
    assert rectification["status"] == "RECTIFICATION_STATUS_TO_CALL" and rectification["callback_due"]
    path = f"/api/v1/evaluation/rectifications/{rectification['id']}"
    early = gateway.post(f"{path}/result", headers=clerk, json={"result": "增开窗口"})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "EVALUATION_STATE")
    ok(gateway.post(f"{path}/callback", headers=clerk, json={"note": "已电话回访，申请人反映高峰期等候久"}))
    result = "增开一个综合窗口，推行预约办理"
    done = ok(gateway.post(f"{path}/result", headers=clerk, json={"result": result}))
    assert done["status"] == "RECTIFICATION_STATUS_RECTIFIED"

    mine = ok(gateway.get("/api/v1/evaluation/ratings/mine", headers=citizen))
    (told,) = [r for r in mine["rectifications"] if r["case_no"] == case_no]
    assert told["result"] == result and told["callback_note"]
    confirmed = ok(
        gateway.post(f"{path}/confirmation", headers=citizen, json={"satisfied": True, "comment": "好"})
    )
    assert (confirmed["status"], confirmed["rater_verdict"]) == (
        "RECTIFICATION_STATUS_CONFIRMED",
        "satisfied",
    )

    again = gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json={"level": 5})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "EVALUATION_ALREADY_RATED")
    follow_up = {"level": 4, "comment": "整改后满意", "follow_up": True}
    ok(gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json=follow_up), 201)
    twice = gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json=follow_up)
    assert twice.status_code == 409
    return case_no


def test_an_approved_appeal_takes_a_rating_out_of_the_indicators(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    admin, tenant_admin = login(gateway, "jinjiang.deptadmin"), login(gateway, "jinjiang.admin")
    clerk = login(gateway, "jinjiang.clerk")
    before = ok(gateway.get("/api/v1/evaluation/indicators", headers=admin))
    case_no, rating = _bad_review(gateway, login, "恶意差评测试")
    counted = ok(gateway.get("/api/v1/evaluation/indicators", headers=admin))
    assert counted["bad"] == before["bad"] + 1

    body = {"reason": "评价内容与办件无关，系恶意差评", "evidence": "窗口录音和叫号记录显示按时办结"}
    refused = gateway.post(f"/api/v1/evaluation/ratings/{rating['id']}/appeals", headers=clerk, json=body)
    assert refused.status_code == 403
    appeal = ok(
        gateway.post(f"/api/v1/evaluation/ratings/{rating['id']}/appeals", headers=admin, json=body), 201
    )
    pending = ok(gateway.get("/api/v1/evaluation/appeals?pending_only=true", headers=tenant_admin))
    assert appeal["id"] in [a["id"] for a in pending]
    decision = {"approve": True, "decision": "经核查录音，评价与事实不符，申诉成立"}
    decided = ok(
        gateway.post(
            f"/api/v1/evaluation/appeals/{appeal['id']}/decision", headers=tenant_admin, json=decision
        )
    )
    assert decided["status"] == "APPEAL_STATUS_APPROVED"

    after = ok(gateway.get("/api/v1/evaluation/indicators", headers=admin))
    assert after["bad"] == before["bad"] and after["ratings"] == before["ratings"]
    kept = ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=tenant_admin))["ratings"]
    assert kept[0]["excluded"] and kept[0]["excluded_reason"]


def test_the_tenant_admin_sets_the_rules_and_staff_read_them(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    tenant_admin, clerk = login(gateway, "jinjiang.admin"), login(gateway, "jinjiang.clerk")
    rules = {
        "default_after_days": 10,
        "default_level": 4,
        "callback_workdays": 1,
        "rectify_workdays": 10,
        "consultation_workdays": 5,
        "complaint_workdays": 5,
    }
    assert gateway.put("/api/v1/evaluation/settings", headers=clerk, json=rules).status_code == 403
    wrong = gateway.put(
        "/api/v1/evaluation/settings", headers=tenant_admin, json={**rules, "default_level": 1}
    )
    assert wrong.status_code == 422
    ok(gateway.put("/api/v1/evaluation/settings", headers=tenant_admin, json=rules))
    assert ok(gateway.get("/api/v1/evaluation/settings", headers=clerk))["rectify_workdays"] == 10
    ok(
        gateway.put(
            "/api/v1/evaluation/settings", headers=tenant_admin, json={**rules, "rectify_workdays": 15}
        )
    )


def test_a_consultation_is_answered_and_published_and_a_complaint_escalated(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
    other, tenant_admin = login(gateway, "jinjiang.clerk2"), login(gateway, "jinjiang.admin")
    case_no = completed_case(gateway, login)
    item_id = ok(gateway.get(f"/api/v1/cases/{case_no}", headers=citizen))["item_id"]
    question = {
        "kind": "consultation",
        "title": "个体户登记材料",
        "question": "请问个体工商户设立登记需要携带经营场所证明原件吗？",
        "item_id": item_id,
        "consent_to_publish": True,
    }
    asked = ok(gateway.post("/api/v1/evaluation/inquiries", headers=citizen, json=question), 201)
    assert asked["status"] == "INQUIRY_STATUS_ASKED" and asked["reply_due"] and asked["dept_name"]
    assert asked["id"] in [
        i["id"] for i in ok(gateway.get("/api/v1/evaluation/inquiries?open_only=true", headers=clerk))
    ]
    assert asked["id"] not in [
        i["id"] for i in ok(gateway.get("/api/v1/evaluation/inquiries", headers=other))
    ]
    answer = {"reply": "网上申报时上传电子件即可，无需携带原件。", "publish": True}
    answered = ok(
        gateway.post(f"/api/v1/evaluation/inquiries/{asked['id']}/reply", headers=clerk, json=answer)
    )
    assert (answered["status"], answered["published"], answered["answered_late"]) == (
        "INQUIRY_STATUS_ANSWERED",
        True,
        False,
    )
    public = ok(
        httpx.get(f"{gateway.base_url}/api/v1/evaluation/replies", params={"query": "经营场所证明原件"})
    )
    (shown,) = [r for r in public if r["id"] == asked["id"]]
    assert shown["reply"] == answer["reply"] and shown["dept_name"] and "asker" not in shown

    complaint = {
        "kind": "complaint",
        "title": "办理不满意",
        "question": "办件过程中多次被要求补正，希望改进。",
        "case_no": case_no,
    }
    filed = ok(gateway.post("/api/v1/evaluation/inquiries", headers=citizen, json=complaint), 201)
    escalated = ok(
        gateway.post(
            f"/api/v1/evaluation/inquiries/{filed['id']}/escalation",
            headers=citizen,
            json={"reason": "希望上级督办"},
        )
    )
    assert escalated["status"] == "INQUIRY_STATUS_ESCALATED"
    assert (
        gateway.post(
            f"/api/v1/evaluation/inquiries/{filed['id']}/reply", headers=clerk, json=answer
        ).status_code
        == 404
    )
    reply = {"reply": "已督促部门一次性告知补正材料，并向您致歉。", "publish": False}
    ok(gateway.post(f"/api/v1/evaluation/inquiries/{filed['id']}/reply", headers=tenant_admin, json=reply))
    mine = ok(gateway.get("/api/v1/evaluation/inquiries/mine", headers=citizen))
    assert {i["id"]: i["status"] for i in mine}[filed["id"]] == "INQUIRY_STATUS_ANSWERED"


def check_who_sees_the_rater(gateway: httpx.Client, login, case_no: str) -> None:  # type: ignore[no-untyped-def]
    """The rater masked to the case's clerk, whole to its department admin, hidden from another department."""
    clerk, admin = login(gateway, "jinjiang.clerk"), login(gateway, "jinjiang.deptadmin")
    other = login(gateway, "jinjiang.clerk2")
    seen_by_clerk = ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=clerk))["ratings"]
    assert [(r["rater_name"], r["rater"]) for r in seen_by_clerk] == [("张*", "")]
    seen_by_admin = ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=admin))["ratings"]
    assert seen_by_admin[0]["rater_name"] == "张三" and seen_by_admin[0]["rater"]
    assert gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=other).status_code == 404
    assert case_no not in [r["case_no"] for r in ok(gateway.get("/api/v1/evaluation/ratings", headers=other))]


def test_a_window_visit_is_rated_once_by_its_code_then_followed_up(
    embedded_gateway, login, outside_system
) -> None:  # type: ignore[no-untyped-def]
    """一次一评: anonymous on the tablet, one follow-up, the staff member's figures; the code shows no visitor;
    both ratings reach the provincial 好差评 platform (its simulator)."""
    gateway = embedded_gateway
    opened, rating = rated_visit(gateway, login, 5)
    token, visit = opened["token"], opened["visit"]
    assert (rating["stage"], rating["channel"], rating["real_name"], rating["rater"]) == (
        "STAGE_VISIT",
        4,
        False,
        "",
    )
    public = ok(httpx.get(f"{gateway.base_url}/api/v1/evaluation/visits/{token}"))
    assert (public["window"], public["rated"], public["staff"], public["case_no"]) == (
        "3号窗口",
        True,
        "",
        "",
    )
    again = httpx.post(f"{gateway.base_url}/api/v1/evaluation/visits/{token}/ratings", json={"level": 4})
    assert again.status_code == 409
    follow_up = {"level": 4, "channel": 3, "follow_up": True, "comment": "补充：引导很清楚"}
    ok(httpx.post(f"{gateway.base_url}/api/v1/evaluation/visits/{token}/ratings", json=follow_up), 201)
    wrong = {"level": 5, "indicators": {"usability": 5}}
    assert (
        httpx.post(f"{gateway.base_url}/api/v1/evaluation/visits/{token}/ratings", json=wrong).status_code
        == 422
    )
    assert httpx.get(f"{gateway.base_url}/api/v1/evaluation/visits/{'x' * 32}").status_code == 404
    admin = login(gateway, "jinjiang.deptadmin")
    staff = ok(gateway.get("/api/v1/evaluation/indicators/staff", headers=admin))
    (clerk,) = [s for s in staff if s["staff"] == visit["staff"]]
    assert clerk["indicators"]["ratings"] >= 1
    citizen = login(gateway, CITIZEN)
    assert gateway.post("/api/v1/evaluation/visits", headers=citizen, json={"window": "1"}).status_code == 403
    url, key = outside_system(gateway, "haocpsim", "province-key.key")
    deadline = time.monotonic() + 60
    with HttpProvincialRatingsPlatform(url, key) as province:
        while (rating["id"], 1) not in province.received("510104", local_date(datetime.now(UTC))):
            assert time.monotonic() < deadline, "the rating did not reach the province within 60 s"
            time.sleep(1)


def test_without_an_account_a_verified_mobile_asks_and_is_texted_the_answer(
    embedded_gateway, login, sms_simulator
) -> None:  # type: ignore[no-untyped-def]
    """The code texted by the SMS simulator; the question asked with it; the answer texted with the reference."""
    gateway = embedded_gateway
    url, key = sms_simulator(gateway)
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    base = str(gateway.base_url)
    ok(httpx.post(f"{base}/api/v1/evaluation/mobile-codes", json={"mobile": mobile, "tenant": "510104"}), 201)
    too_soon = httpx.post(
        f"{base}/api/v1/evaluation/mobile-codes", json={"mobile": mobile, "tenant": "510104"}
    )
    assert too_soon.status_code == 429 and too_soon.json()["error"]["code"] == "EVALUATION_CODE_TOO_SOON"
    code = re.search(r"\d{6}", last_message(url, key, mobile)).group()  # type: ignore[union-attr]
    hit = ok(gateway.get("/api/v1/catalog/search", params={"q": "个体工商户设立登记"}))["hits"][0]
    question = {
        "kind": "consultation",
        "title": "个体户名称预先核准",
        "question": "个体工商户设立登记前需要先办理名称预先核准吗？",
        "item_id": hit["item_id"],
        "mobile": mobile,
        "mobile_code": "000000" if code != "000000" else "111111",
    }
    wrong = httpx.post(f"{base}/api/v1/evaluation/inquiries/by-mobile", json=question)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "EVALUATION_MOBILE_CODE"
    asked = ok(
        httpx.post(f"{base}/api/v1/evaluation/inquiries/by-mobile", json={**question, "mobile_code": code}),
        201,
    )
    ref, inquiry = asked["ref"], asked["inquiry"]
    assert inquiry["status"] == "INQUIRY_STATUS_ASKED" and inquiry["dept_name"]
    clerk = login(gateway, "jinjiang.clerk")
    answer = {"reply": "无需单独办理，登记时一并申报名称即可。", "publish": False}
    ok(gateway.post(f"/api/v1/evaluation/inquiries/{inquiry['id']}/reply", headers=clerk, json=answer))
    texted = last_message(url, key, mobile, after=1, wait_s=30)
    assert ref in texted and "已答复" in texted
    read = ok(httpx.get(f"{base}/api/v1/evaluation/inquiries/by-ref/{ref}"))
    assert (read["id"], read["reply"]) == (inquiry["id"], answer["reply"])
    assert httpx.get(f"{base}/api/v1/evaluation/inquiries/by-ref/{'x' * 16}").status_code == 404
