"""`make run`'s demo case (tools/demo_case.py) on the embedded platform: it drives 张三's application to
办结 through the gateway, and its 营业执照 reaches 我的证照; run again it does nothing."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

from ywtb.common.testing.case_flow import ok

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("demo_case", ROOT / "tools" / "demo_case.py")
assert _spec and _spec.loader
demo_case = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo_case)


def test_the_demo_case_ends_in_a_licence_and_runs_once(embedded_gateway) -> None:  # type: ignore[no-untyped-def]
    base = str(embedded_gateway.base_url)
    case_no = demo_case.drive(base, again=True)
    assert case_no and case_no.startswith("510104")
    citizen = demo_case.login(embedded_gateway, "13800000001")
    case = ok(embedded_gateway.get(f"/api/v1/cases/{case_no}/timeline", headers=citizen))
    assert case["status"] == "CASE_STATUS_COMPLETED"
    deadline = time.monotonic() + 60
    while not any(
        x["case_no"] == case_no
        for x in ok(embedded_gateway.get("/api/v1/licence/licences/mine", headers=citizen))
    ):
        assert time.monotonic() < deadline, f"no licence for the demo case {case_no} within 60 s"
        time.sleep(0.5)
    assert demo_case.drive(base) is None  # 张三 holds a licence: a restart adds no second demo case


def test_the_demo_refund_case_is_paid_refunded_in_part_and_licensed(embedded_gateway) -> None:  # type: ignore[no-untyped-def]
    case_no = demo_case.drive_refunded_fee_case(str(embedded_gateway.base_url))
    citizen = demo_case.login(embedded_gateway, "13800000001")
    (order,) = ok(embedded_gateway.get(f"/api/v1/payment/cases/{case_no}/orders", headers=citizen))
    assert (order["status"], order["refunded_fen"], order["refundable_fen"]) == (
        "ORDER_STATUS_PAID",
        "500",
        "500",
    )
    assert [r["status"] for r in order["refunds"]] == ["REFUND_STATUS_REFUNDED"]
    deadline = time.monotonic() + 60
    while not any(
        x["case_no"] == case_no
        for x in ok(embedded_gateway.get("/api/v1/licence/licences/mine", headers=citizen))
    ):
        assert time.monotonic() < deadline, f"no 临时居民身份证 for the paid demo case {case_no} within 60 s"
        time.sleep(0.5)


def test_the_demo_rated_case_opens_a_rectification_and_a_published_answer(embedded_gateway) -> None:  # type: ignore[no-untyped-def]
    case_no = demo_case.drive_rated_case(str(embedded_gateway.base_url))
    clerk = demo_case.login(embedded_gateway, "jinjiang.clerk")
    opened = ok(embedded_gateway.get("/api/v1/evaluation/rectifications?open_only=true", headers=clerk))
    assert case_no in [r["case_no"] for r in opened]
    replies = ok(embedded_gateway.get("/api/v1/evaluation/replies", params={"query": "示例"}))
    assert any("原件" in r["question"] for r in replies)
    visits = ok(embedded_gateway.get("/api/v1/evaluation/visits/mine", headers=clerk))
    assert any(v["window"] == "3号窗口" and v["rated"] for v in visits)
