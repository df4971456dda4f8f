"""缴费订单 in the workbench: the department's payment orders by status and case; 减免重开 of an unpaid order,
退款 of a paid one and 认可逾期缴款 of an expired one, each a form on its order."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.common import tenancy
from ywtb.common.money import yuan
from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import PAYMENT_ROLES, has_role
from ywtb.portal.routes.shared import path_id, refusal_errors
from ywtb.portal.routes.workbench_common import PAGE_SIZE, staff_user
from ywtb.portal.routes.workbench_payment_forms import (
    NUMBER,
    ORDER_STATUSES,
    UNPAID,
    Search,
    idempotency_key,
    input_name,
    reduction_body,
    reduction_renamer,
    refund_body,
    refund_renamer,
    typed_values,
)
from ywtb.portal.web import CurrentPage, Page

ORDERS = "/api/v1/payment/orders"
# 减免重开: the department's window clerks, approvers and admins; refunds and late payments: its admins
FINANCE_ROLES = frozenset({tenancy.DEPT_ADMIN})
FORBIDDEN, FINANCE_FORBIDDEN = "workbench.payments.forbidden", "workbench.payments.finance_forbidden"
ACTIONS = r"/workbench/payments/(?:cases/[^/]+/orders|orders/[^/]+/(refunds|late-payment))"
ACTION_OF = {None: "reduce", "refunds": "refund", "late-payment": "late"}
REFUNDABLE_CHANGED = "PAYMENT_REFUNDABLE_CHANGED"


def orders_page(
    page: Page, user: dict[str, Any], search: Search, status_code: int = 200, **extra: Any
) -> Response:
    """The order list showing `search`; `extra` opens one order's form with its messages and values."""
    orders = page.get(
        "staff",
        ORDERS,
        status=search.status,
        case_no=search.case_no,
        page_size=PAGE_SIZE,
        offset=search.offset,
    )
    for order in orders:  # a double submit of a form shown once is one reduction or refund
        order["reduce_key"], order["refund_key"] = uuid.uuid4().hex, uuid.uuid4().hex
    return page.render(
        "workbench/payments.html",
        status_code,
        nav_current="payments",
        orders=orders,
        search=search,
        statuses=ORDER_STATUSES,
        unpaid=UNPAID,
        can_reduce=has_role(user, PAYMENT_ROLES),
        can_finance=has_role(user, FINANCE_ROLES),
        yuan=yuan,
        page_size=PAGE_SIZE,
        **extra,
    )


def _order(page: Page, case_no: str, order_no: str) -> dict[str, Any] | None:
    """The case's order `order_no` as the department's list holds it now (None when it is not there)."""
    orders = page.get("staff", ORDERS, case_no=case_no, page_size=100)
    return next((order for order in orders if order["order_no"] == order_no), None)


def _search(form: dict[str, Any]) -> Search:
    return Search.of(form.get("status"), form.get("case_no"), form.get("offset"))


async def _refused(
    page: Page,
    user: dict[str, Any],
    search: Search,
    order_no: str,
    action: str,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> Response:
    """The order list again with the order's form open, its messages and what was typed."""
    values = typed_values(form, order_no, action)
    opened = f"{action}-{order_no}"
    return await run_in_threadpool(
        orders_page, page, user, search, status, errors=errors, values=values, open_form=opened
    )


def _passed_on(error: GatewayError) -> bool:
    """A failure shown as the error page (a lost login, the platform down), not next to the form."""
    return error.status == 401 or error.status >= 500


def build_payments_router() -> APIRouter:
    """/payments (the order list), POST /payments/cases/{case_no}/orders, /payments/orders/{order_no}/refunds
    and /payments/orders/{order_no}/late-payment."""
    router = APIRouter()

    @router.get("/payments")
    def orders(page: CurrentPage, status: str = "", case_no: str = "", offset: str = "0") -> Response:
        user = staff_user(page, PAYMENT_ROLES, FORBIDDEN)
        search = Search.of(status, case_no, offset)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return orders_page(page, user, search)
        order_no, action = str(draft.form.get("order_no") or ""), ACTION_OF[draft.match.group(1)]
        values = typed_values(draft.form, order_no, action)
        return orders_page(page, user, search, values=values, open_form=f"{action}-{order_no}")

    @router.post("/payments/cases/{case_no}/orders")
    async def reduce(page: CurrentPage, case_no: str) -> Response:
        user = staff_user(page, PAYMENT_ROLES, FORBIDDEN)
        path = f"/api/v1/payment/cases/{path_id(case_no, NUMBER)}/orders"
        form = await page.form()
        search, order_no = _search(form), str(form.get("order_no") or "")
        order = await run_in_threadpool(_order, page, case_no, order_no)
        if order is None:
            page.flash(page.t("workbench.payments.order_gone"), "error")
            return page.redirect(search.url())
        body, errors, sent = reduction_body(form, order, page.t)
        if errors:
            return await _refused(page, user, search, order_no, "reduce", form, errors, 422)
        headers = {"Idempotency-Key": idempotency_key(form)}
        try:
            made = await run_in_threadpool(page.post, "staff", path, body, headers=headers)
        except GatewayError as error:
            if _passed_on(error):
                raise
            errors = refusal_errors(page, error, reduction_renamer(order_no, sent))
            return await _refused(page, user, search, order_no, "reduce", form, errors, error.status)
        done = "exempted_done" if made["status"] == "ORDER_STATUS_PAID" else "reissued"
        amount = yuan(made["total_fen"])
        page.flash(
            page.t(f"workbench.payments.{done}", case_no=case_no, order_no=made["order_no"], amount=amount)
        )
        return page.redirect(search.url())

    @router.post("/payments/orders/{order_no}/refunds")
    async def refund(page: CurrentPage, order_no: str) -> Response:
        user = staff_user(page, FINANCE_ROLES, FINANCE_FORBIDDEN)
        path = f"{ORDERS}/{path_id(order_no, NUMBER)}/refunds"
        form = await page.form()
        search = _search(form)
        body, errors = refund_body(form, order_no, page.t)
        if errors:
            return await _refused(page, user, search, order_no, "refund", form, errors, 422)
        headers = {"Idempotency-Key": idempotency_key(form)}
        try:
            made = await run_in_threadpool(page.post, "staff", path, body, headers=headers)
        except GatewayError as error:
            if _passed_on(error):
                raise
            if error.code == REFUNDABLE_CHANGED:  # the fresh amount is in the message and on the order
                errors = {input_name("refund_amount", order_no): page.message(error)}
            else:
                errors = refusal_errors(page, error, refund_renamer(order_no))
            return await _refused(page, user, search, order_no, "refund", form, errors, error.status)
        status = page.t(f"workbench.payments.refund_status.{made['status']}")
        amount = yuan(made["amount_fen"])
        page.flash(
            page.t(
                "workbench.payments.refund_done", amount=amount, refund_no=made["refund_no"], status=status
            )
        )
        return page.redirect(search.url())

    @router.post("/payments/orders/{order_no}/late-payment")
    async def accept_late(page: CurrentPage, order_no: str) -> Response:
        user = staff_user(page, FINANCE_ROLES, FINANCE_FORBIDDEN)
        path = f"{ORDERS}/{path_id(order_no, NUMBER)}/late-payment"
        form = await page.form()
        search = _search(form)
        body = {"reason": str(form.get("reason") or "").strip()}
        try:
            await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if _passed_on(error):
                raise
            errors = refusal_errors(page, error, lambda _: input_name("late_reason", order_no))
            return await _refused(page, user, search, order_no, "late", form, errors, error.status)
        page.flash(page.t("workbench.payments.late_done", order_no=order_no))
        return page.redirect(search.url())

    return router
