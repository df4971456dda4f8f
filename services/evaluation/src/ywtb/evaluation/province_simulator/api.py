"""The province's signed JSON routes (/v1/...): reports, what it received of a day, and the fault switches."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ywtb.common.signed_http.bodies import WireError
from ywtb.common.signed_http.refusals import bad_request
from ywtb.common.simulator_kit import add_fault_routes, json_body
from ywtb.evaluation.province.wire import ack_to_json, batch_from_json, received_to_json, report_from_json
from ywtb.evaluation.province_simulator.simulator import Simulator


def build_api(sim: Simulator) -> APIRouter:
    """The /v1 routes on the simulator's parts (SignedExchange checks their signatures)."""
    router = APIRouter(prefix="/v1")

    @router.post("/reports")
    async def report(request: Request) -> dict[str, Any]:
        sim.faults.check_up()
        try:
            batch = [report_from_json(item) for item in batch_from_json(await json_body(request))]
        except WireError as error:
            raise bad_request(f"评价数据格式错误：{error}") from error
        acks = await run_in_threadpool(sim.reports.receive, batch)
        return {"acks": [ack_to_json(ack) for ack in acks]}

    @router.get("/received/{tenant}/{day}")
    async def received(tenant: str, day: str) -> dict[str, Any]:
        sim.faults.check_up()
        try:
            parsed = date.fromisoformat(day)
        except ValueError as error:
            raise bad_request("对账日期须为 YYYY-MM-DD。") from error
        held = await run_in_threadpool(sim.reports.received, tenant, parsed)
        return received_to_json(tenant, parsed, held)

    add_fault_routes(router, sim.faults)
    return router
