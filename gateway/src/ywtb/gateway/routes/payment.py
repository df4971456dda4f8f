"""统一支付 REST routes: a case's payment orders and the caller's, and the non-tax payment platform's
callback (public: the payment service verifies its signature and asks the platform before anything)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ywtb.api.payment.v1 import payment_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import WRITE, answers
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.payment.v1.PaymentService"
READS = [f"{SERVICE}/{m}" for m in ("ListCaseOrders", "ListMyOrders", "ListMismatches")]

Stub = Annotated[AsyncStub, Depends(app_state("payment"))]  # ywtb.api.payment.v1.PaymentService


class PlatformCallbackIn(BaseModel):
    """A payment the platform reports (its bytes are what the X-Nontax-Signature header signs)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "notice_no": "51010420261201000017",
                    "order_no": "PO20261201000000000001",
                    "paid_fen": 1000,
                    "paid_at": "2026-12-01T10:00:00+08:00",
                    "receipt_no": "5101042026000001",
                    "channel": "wechat",
                }
            ]
        },
    )
    notice_no: str = Field(min_length=1, max_length=64)
    order_no: str = Field(min_length=1, max_length=32)
    paid_fen: int = Field(ge=0)
    paid_at: str = Field(max_length=40)
    receipt_no: str = Field(max_length=64)
    channel: str = Field(max_length=20)


ResolutionIn = input_model(
    pb.ResolveMismatchRequest.DESCRIPTOR,
    exclude=("id",),
    required=("reason",),
    rules={"reason": Field(min_length=2, max_length=200)},
)
ReconcileIn = input_model(
    pb.ReconcileDayRequest.DESCRIPTOR, required=("day",), rules={"day": Field(pattern=r"^\d{4}-\d{2}-\d{2}$")}
)


def build_payment_router() -> APIRouter:
    """Routes under /api/v1/payment for the payment service."""
    router = APIRouter(prefix="/api/v1/payment", tags=["统一支付"])

    @router.get(
        "/cases/{case_no}/orders",
        summary="办件的缴费订单（申请人本人、办理部门工作人员）",
        **answers(pb.PaymentOrder, many=True),
    )
    async def case_orders(case_no: str, principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListCaseOrders(pb.ListCaseOrdersRequest(case_no=case_no))
        return [to_json(order) for order in reply.orders]

    @router.get("/orders/mine", summary="我的缴费", **answers(pb.PaymentOrder, many=True))
    async def my_orders(
        principal: CurrentPrincipal,
        stub: Stub,
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        reply = await stub.ListMyOrders(pb.ListMyOrdersRequest(page_size=page_size, offset=offset))
        return [to_json(order) for order in reply.orders]

    @router.post(
        "/callbacks/nontax",
        summary="非税收入统一缴款平台的缴款回调（签名校验后以平台查询结果为准）",
        **answers(pb.HandlePlatformCallbackResponse, errors=(400, 401, 403, 404, 413, 422)),
    )
    async def platform_callback(
        payment: PlatformCallbackIn, request: Request, principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        body = await request.body()  # as signed, not as parsed
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-nontax-")}
        reply = await stub.HandlePlatformCallback(
            pb.HandlePlatformCallbackRequest(body=body, headers=headers)
        )
        return to_json(reply)

    @router.get(
        "/mismatches",
        summary="对账差异（部门管理员、租户管理员）",
        **answers(pb.Mismatch, many=True),
    )
    async def mismatches(
        principal: CurrentPrincipal,
        stub: Stub,
        status: Annotated[str, Query(pattern=r"^(|open|resolved)$")] = "",
    ) -> list[dict[str, Any]]:
        reply = await stub.ListMismatches(pb.ListMismatchesRequest(status=status))
        return [to_json(m) for m in reply.mismatches]

    @router.post(
        "/mismatches/{mismatch_id}/resolution",
        summary="处理对账差异：说明处理结果（部门管理员、租户管理员）",
        **answers(pb.Mismatch, errors=WRITE),
    )
    async def resolve(
        mismatch_id: Annotated[int, Path(ge=1, le=2**62)],
        body: ResolutionIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.ResolveMismatchRequest(id=mismatch_id))
        return to_json((await stub.ResolveMismatch(request)).mismatch)

    @router.post(
        "/reconciliations",
        summary="对某日的平台对账单进行对账（租户管理员、平台管理员）",
        **answers(pb.ReconcileDayResponse, errors=WRITE),
    )
    async def reconcile(body: ReconcileIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.ReconcileDay(to_proto(body, pb.ReconcileDayRequest())))

    return router
