"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.payment.v1 import payment_pb2 as pb
from ywtb.api.payment.v1 import payment_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import APPLICANT_ROLES, PLATFORM_ADMIN, STAFF_ROLES, TENANT_ADMIN, UNBOUND_ROLES
from ywtb.common.timestamps import timestamp
from ywtb.payment.authz import FINANCE_ROLES, ORDER_MAKER_ROLES, RECONCILER_ROLES
from ywtb.payment.callbacks import Callbacks
from ywtb.payment.mismatches import Mismatches
from ywtb.payment.models import Mismatch, PaymentOrder, Refund
from ywtb.payment.orders import Orders
from ywtb.payment.reconciliation import Reconciler
from ywtb.payment.reductions import OrderAsk, Reduction, Reductions
from ywtb.payment.refunds import RefundAsk, Refunds, left_to_refund
from ywtb.payment.states import CANCELLED, CREATED, EXPIRED, FAILED, NOTIFIED, PAID, REFUNDED, SUBMITTED

STATUS_PB = {
    CREATED: pb.ORDER_STATUS_CREATED,
    NOTIFIED: pb.ORDER_STATUS_NOTIFIED,
    PAID: pb.ORDER_STATUS_PAID,
    EXPIRED: pb.ORDER_STATUS_EXPIRED,
    CANCELLED: pb.ORDER_STATUS_CANCELLED,
}
STATUS_OF_PB = {number: status for status, number in STATUS_PB.items()}
REFUND_STATUS_PB = {
    CREATED: pb.REFUND_STATUS_CREATED,
    SUBMITTED: pb.REFUND_STATUS_SUBMITTED,
    REFUNDED: pb.REFUND_STATUS_REFUNDED,
    FAILED: pb.REFUND_STATUS_FAILED,
}


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _refund(refund: Refund) -> pb.Refund:
    return pb.Refund(
        refund_no=refund.refund_no,
        order_no=refund.order_no,
        amount_fen=refund.amount_fen,
        reason=refund.reason,
        status=REFUND_STATUS_PB[refund.status],
        failure=refund.failure,
        requested_by=refund.requested_by,
        created_at=timestamp(utc(refund.created_at)),
        refunded_at=timestamp(utc(refund.refunded_at)) if refund.refunded_at else None,
    )


def _order(order: PaymentOrder, refunds: list[Refund] | None = None) -> pb.PaymentOrder:
    refunds = refunds or []
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
        created_by=order.created_by,
        refunds=[_refund(r) for r in refunds],
        refunded_fen=sum(r.amount_fen for r in refunds if r.status == REFUNDED),
        refundable_fen=left_to_refund(order.paid_fen, refunds),
    )


def _mismatch(mismatch: Mismatch) -> pb.Mismatch:
    return pb.Mismatch(
        id=mismatch.id,
        day=mismatch.day.isoformat(),
        kind=mismatch.kind,
        notice_no=mismatch.notice_no,
        order_no=mismatch.order_no,
        tenant=mismatch.tenant,
        dept=mismatch.dept,
        expected_fen=mismatch.expected_fen,
        platform_fen=mismatch.platform_fen,
        status=mismatch.status,
        found_at=timestamp(utc(mismatch.found_at)),
        resolution=mismatch.resolution,
        resolved_by=mismatch.resolved_by,
    )


class PaymentServicer(payment_pb2_grpc.PaymentServiceServicer):
    """PaymentService over gRPC."""

    def __init__(
        self,
        orders: Orders,
        callbacks: Callbacks,
        mismatches: Mismatches,
        reconciler: Reconciler,
        refunds: Refunds,
    ) -> None:
        self.orders = orders
        self.callbacks = callbacks
        self.mismatches = mismatches
        self.reconciler = reconciler
        self.refunds = refunds
        self.reductions = Reductions(orders)

    def _orders(self, found: list[PaymentOrder]) -> list[pb.PaymentOrder]:
        refunds = self.refunds.of_orders([o.order_no for o in found])
        return [_order(o, refunds[o.order_no]) for o in found]

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def ListCaseOrders(self, request, context):  # noqa: N802
        found = self.orders.of_case(_caller(), request.case_no)
        return pb.ListCaseOrdersResponse(orders=self._orders(found))

    @allow(*APPLICANT_ROLES)
    def ListMyOrders(self, request, context):  # noqa: N802
        found = self.orders.mine(_caller(), request.page_size, request.offset)
        return pb.ListMyOrdersResponse(orders=self._orders(found))

    @allow(*STAFF_ROLES)
    def ListDepartmentOrders(self, request, context):  # noqa: N802
        found = self.orders.of_department(
            _caller(),
            STATUS_OF_PB.get(request.status, ""),
            request.case_no,
            request.page_size,
            request.offset,
        )
        return pb.ListDepartmentOrdersResponse(orders=self._orders(found))

    @allow(*ORDER_MAKER_ROLES)
    def CreateOrder(self, request, context):  # noqa: N802
        reductions = tuple(Reduction(r.fee_name, r.reduction_fen, r.basis) for r in request.reductions)
        ask = OrderAsk(request.case_no, reductions, request.reason, request.idempotency_key)
        order, replayed = self.reductions.make(_caller(), ask)
        return pb.CreateOrderResponse(order=self._orders([order])[0], replayed=replayed)

    @allow(*FINANCE_ROLES)
    def AcceptLatePayment(self, request, context):  # noqa: N802
        order = self.orders.accept_late(_caller(), request.order_no, request.reason)
        return pb.AcceptLatePaymentResponse(order=self._orders([order])[0])

    @allow(*FINANCE_ROLES)
    def RequestRefund(self, request, context):  # noqa: N802
        ask = RefundAsk(
            request.order_no,
            request.amount_fen,
            request.expected_refundable_fen,
            request.reason,
            request.idempotency_key,
        )
        refund, replayed = self.refunds.request(_caller(), ask)
        return pb.RequestRefundResponse(refund=_refund(refund), replayed=replayed)

    @public  # the platform calls back without an account: the signature is checked, then the status asked
    def HandlePlatformCallback(self, request, context):  # noqa: N802
        order = self.callbacks.handle(request.body, dict(request.headers))
        return pb.HandlePlatformCallbackResponse(order=self._orders([order])[0])

    @allow(*RECONCILER_ROLES)
    def ListMismatches(self, request, context):  # noqa: N802
        found = self.mismatches.report_of(_caller(), request.status)
        return pb.ListMismatchesResponse(mismatches=[_mismatch(m) for m in found])

    @allow(*RECONCILER_ROLES)
    def ResolveMismatch(self, request, context):  # noqa: N802
        resolved = self.mismatches.resolve(_caller(), request.id, request.reason)
        return pb.ResolveMismatchResponse(mismatch=_mismatch(resolved))

    @allow(TENANT_ADMIN, PLATFORM_ADMIN)
    def ReconcileDay(self, request, context):  # noqa: N802
        done = self.reconciler.reconcile_on_request(_caller(), request.day)
        return pb.ReconcileDayResponse(
            day=done.day.isoformat(), lines=done.lines, matched=done.matched, mismatched=done.mismatched
        )
