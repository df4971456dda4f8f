"""The platform's signed JSON routes (/v1/...): send a message, a number's inbox, the fault switches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ywtb.common.signed_http.bodies import WireError
from ywtb.common.signed_http.refusals import Refusal, bad_request
from ywtb.common.simulator_kit import add_fault_routes, json_body
from ywtb.common.sms.wire import inbox_to_json, sent_to_json, sms_from_json
from ywtb.common.sms_simulator.messages import MOBILE
from ywtb.common.sms_simulator.simulator import Simulator


def build_api(sim: Simulator) -> APIRouter:
    """The /v1 routes on the simulator's parts (SignedExchange checks their signatures)."""
    router = APIRouter(prefix="/v1")

    @router.post("/messages")
    async def send(request: Request) -> JSONResponse:
        sim.faults.check_up()
        try:
            sms = sms_from_json(await json_body(request))
        except WireError as error:
            raise bad_request(f"短信格式错误：{error}") from error
        message_id, created = await run_in_threadpool(sim.messages.send, sms)
        return JSONResponse(sent_to_json(sms.message_no, message_id), status_code=201 if created else 200)

    @router.get("/messages")
    async def inbox(request: Request) -> dict[str, Any]:
        sim.faults.check_up()
        mobile = request.query_params.get("mobile", "")
        if not MOBILE.fullmatch(mobile):
            raise Refusal(400, "MOBILE_INVALID", "手机号码须为 11 位中国大陆手机号码，请核对后重试。")
        total, messages = await run_in_threadpool(sim.messages.inbox, mobile)
        return inbox_to_json(mobile, total, messages)

    add_fault_routes(router, sim.faults)
    return router
