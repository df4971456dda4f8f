"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.payment.v1 import payment_pb2 as pb
from ywtb.api.payment.v1 import payment_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import APPLICANT_ROLES, STAFF_ROLES, UNBOUND_ROLES
from ywtb.common.timestamps import timestamp
from ywtb.payment.callbacks import Callbacks
from ywtb.payment.models import PaymentOrder
from ywtb.payment.orders import Orders
from ywtb.payment.states import CANCELLED, CREATED, EXPIRED, NOTIFIED, PAID

STATUS_PB = {
    CREATED: pb.ORDER_STATUS_CREATED,
    NOTIFIED: pb.ORDER_STATUS_NOTIFIED,
    PAID: pb.ORDER_STATUS_PAID,
    EXPIRED: pb.ORDER_STATUS_EXPIRED,
    CANCELLED: pb.ORDER_STATUS_CANCELLED,
}


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _order(order: PaymentOrder) -> pb.PaymentOrder:
    return pb.PaymentOrder(
        order_no=order.order_no,
        tenant=order.tenant,
        dept=order.dept,
        case_no=order.case_no,
        item_id=order.item_id,
        payer_name=order.payer_name,
        lines=[pb.OrderLine(**line) for line in order.lines],
        total_fen=order.total_fen,
        status=STATUS_PB[order.status],
        notice_no=order.notice_no,
        pay_url=order.pay_url,
        expires_at=timestamp(utc(order.expires_at)),
        paid_fen=order.paid_fen,
        paid_at=timestamp(utc(order.paid_at)) if order.paid_at else None,
        channel=order.channel,
        receipt_no=order.receipt_no,
        created_at=timestamp(utc(order.created_at)),
    )


class PaymentServicer(payment_pb2_grpc.PaymentServiceServicer):
    """PaymentService over gRPC."""

    def __init__(self, orders: Orders, callbacks: Callbacks) -> None:
        self.orders = orders
        self.callbacks = callbacks

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def ListCaseOrders(self, request, context):  # noqa: N802
        found = self.orders.of_case(_caller(), request.case_no)
        return pb.ListCaseOrdersResponse(orders=[_order(o) for o in found])

    @allow(*APPLICANT_ROLES)
    def ListMyOrders(self, request, context):  # noqa: N802
        found = self.orders.mine(_caller(), request.page_size, request.offset)
        return pb.ListMyOrdersResponse(orders=[_order(o) for o in found])

    @public  # the platform calls back without an account: the signature is checked, then the status asked
    def HandlePlatformCallback(self, request, context):  # noqa: N802
        order = self.callbacks.handle(request.body, dict(request.headers))
        return pb.HandlePlatformCallbackResponse(order=_order(order))
