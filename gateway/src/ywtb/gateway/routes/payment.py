"""统一支付 REST routes: a case's payment orders and the caller's, the department's orders, reductions,
late payments and refunds, the reconciliation report, and the non-tax payment platform's callback (public:
the payment service verifies its signature and asks the platform before anything)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ywtb.api.payment.v1 import payment_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import WRITE, answers, replayed
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.payment.v1.PaymentService"
READS = [
    f"{SERVICE}/{m}" for m in ("ListCaseOrders", "ListMyOrders", "ListDepartmentOrders", "ListMismatches")
]
ORDER_STATUSES = "|".join(v.name for v in pb.OrderStatus.DESCRIPTOR.values if v.number)
NUMBER = r"^[A-Za-z0-9_-]{1,64}$"
# A retry with the same Idempotency-Key (and body) answers what the first request made, with 200.
IdempotencyKey = Annotated[
    str,
    Header(min_length=1, max_length=128, description="幂等键：重试时使用同一个值；同一键不同内容返回 409"),
]
REPLAYED = "重复提交（同一幂等键、同一内容）：首次创建的结果"

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
ReductionIn = input_model(
    pb.FeeReduction.DESCRIPTOR,
    required=("fee_name", "reduction_fen", "basis"),
    rules={"fee_name": Field(min_length=1, max_length=100), "basis": Field(min_length=2, max_length=200)},
)
CreateOrderIn = input_model(
    pb.CreateOrderRequest.DESCRIPTOR,
    exclude=("case_no", "idempotency_key"),
    required=("reason",),
    rules={"reason": Field(min_length=2, max_length=200), "reductions": Field(max_length=50)},
    types={"reductions": list[ReductionIn]},  # type: ignore[valid-type]
)
LatePaymentIn = input_model(
    pb.AcceptLatePaymentRequest.DESCRIPTOR,
    exclude=("order_no",),
    required=("reason",),
    rules={"reason": Field(min_length=2, max_length=200)},
)
RefundIn = input_model(
    pb.RequestRefundRequest.DESCRIPTOR,
    exclude=("order_no", "idempotency_key"),
    required=("amount_fen", "expected_refundable_fen", "reason"),
    rules={"reason": Field(min_length=2, max_length=200)},  # int64 amounts: the service checks them
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

    @router.get("/orders", summary="本部门的缴费订单（部门工作人员）", **answers(pb.PaymentOrder, many=True))
    async def department_orders(
        principal: CurrentPrincipal,
        stub: Stub,
        status: Annotated[str, Query(pattern=f"^(|{ORDER_STATUSES})$")] = "",
        case_no: Annotated[str, Query(max_length=64)] = "",
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        request = pb.ListDepartmentOrdersRequest(
            status=pb.OrderStatus.Value(status) if status else 0,
            case_no=case_no,
            page_size=page_size,
            offset=offset,
        )
        return [to_json(order) for order in (await stub.ListDepartmentOrders(request)).orders]

    @router.post(
        "/cases/{case_no}/orders",
        summary="减免：按减免依据重新开具办件的缴费订单（须带 Idempotency-Key；原未缴订单作废）",
        **answers(pb.PaymentOrder, status=201, errors=WRITE),
        openapi_extra=replayed(pb.PaymentOrder, REPLAYED),
    )
    async def create_order(
        case_no: Annotated[str, Path(pattern=NUMBER)],
        body: CreateOrderIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
        response: Response,
        idempotency_key: IdempotencyKey,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.CreateOrderRequest(case_no=case_no, idempotency_key=idempotency_key))
        reply = await stub.CreateOrder(request)
        if reply.replayed:
            response.status_code = 200
        return to_json(reply.order)

    @router.post(
        "/orders/{order_no}/late-payment",
        summary="认可逾期缴款（部门管理员；平台须显示已足额缴款）",
        **answers(pb.PaymentOrder, errors=WRITE),
    )
    async def accept_late_payment(
        order_no: Annotated[str, Path(pattern=NUMBER)],
        body: LatePaymentIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.AcceptLatePaymentRequest(order_no=order_no))
        return to_json((await stub.AcceptLatePayment(request)).order)

    @router.post(
        "/orders/{order_no}/refunds",
        summary="退款（部门管理员；须带 Idempotency-Key 和核对的可退金额，可退金额已变返回 412）",
        **answers(pb.Refund, status=201, errors=(*WRITE, 412)),
        openapi_extra=replayed(pb.Refund, REPLAYED),
    )
    async def request_refund(
        order_no: Annotated[str, Path(pattern=NUMBER)],
        body: RefundIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
        response: Response,
        idempotency_key: IdempotencyKey,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RequestRefundRequest(order_no=order_no, idempotency_key=idempotency_key))
        reply = await stub.RequestRefund(request)
        if reply.replayed:
            response.status_code = 200
        return to_json(reply.refund)

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
