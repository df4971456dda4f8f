"""The platform's signed JSON routes (/v1/...): notices, refunds, statements, and the test switches."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ywtb.common.simulator_kit import add_fault_routes, json_body
from ywtb.payment.nontax.wire import (
    WireError,
    field,
    notice_to_json,
    payment_to_json,
    refund_request_from_json,
    refund_status_to_json,
    request_from_json,
    status_to_json,
)
from ywtb.payment.nontax_simulator.refusals import bad_request
from ywtb.payment.nontax_simulator.simulator import Simulator


def build_api(sim: Simulator) -> APIRouter:
    """The /v1 routes on the simulator's parts (SignedExchange checks their signatures)."""
    router = APIRouter(prefix="/v1")

    @router.post("/notices")
    async def issue_notice(request: Request) -> JSONResponse:
        try:
            notice_request = request_from_json(await json_body(request))
        except WireError as error:
            raise bad_request(f"缴款通知书申请格式错误：{error}") from error
        notice, created = await run_in_threadpool(sim.notices.issue, notice_request)
        return JSONResponse(notice_to_json(notice), status_code=201 if created else 200)

    @router.get("/notices/{notice_no}")
    async def notice_status(notice_no: str) -> dict[str, Any]:
        return status_to_json(await run_in_threadpool(sim.notices.status, notice_no))

    @router.post("/notices/{notice_no}/cancel")
    async def cancel_notice(notice_no: str) -> dict[str, Any]:
        return status_to_json(await run_in_threadpool(sim.notices.cancel, notice_no))

    @router.post("/refunds")
    async def refund(request: Request) -> JSONResponse:
        try:
            refund_request = refund_request_from_json(await json_body(request))
        except WireError as error:
            raise bad_request(f"退付申请格式错误：{error}") from error
        status, created = await run_in_threadpool(sim.refunds.request, refund_request)
        return JSONResponse(refund_status_to_json(status), status_code=201 if created else 200)

    @router.get("/refunds/{refund_no}")
    async def refund_status(refund_no: str) -> dict[str, Any]:
        return refund_status_to_json(await run_in_threadpool(sim.refunds.status, refund_no))

    @router.get("/statements/{day}")
    async def statement(day: str) -> dict[str, Any]:
        try:
            parsed = date.fromisoformat(day)
        except ValueError as error:
            raise bad_request("对账日期须为 YYYY-MM-DD。") from error
        lines = await run_in_threadpool(sim.notices.statement, parsed)
        refunds = await run_in_threadpool(sim.refunds.of_day, parsed)
        return {
            "day": parsed.isoformat(),
            "lines": [payment_to_json(line) for line in lines],
            "refunds": [refund_status_to_json(refund) for refund in refunds],
        }

    @router.post("/test/pay/{notice_no}")
    async def test_pay(notice_no: str, request: Request) -> dict[str, Any]:
        body = await json_body(request)
        try:
            channel = field(body, "channel", str)
            paid_fen = None if body.get("paid_fen") is None else field(body, "paid_fen", int)
        except WireError as error:
            raise bad_request(f"模拟缴款请求格式错误：{error}") from error
        return payment_to_json(await sim.pay(notice_no, channel, paid_fen))

    add_fault_routes(router, sim.faults)
    return router
