"""我的缴费: the citizen's payment orders, paid on the non-tax payment platform's page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ywtb.portal.routes.citizen_common import context
from ywtb.portal.web import CurrentPage


def build_payments_router() -> APIRouter:
    """The citizen's payment pages."""
    router = APIRouter()

    @router.get("/payments")
    def my_payments(page: CurrentPage) -> Response:
        page.require("citizen")
        orders = page.get("citizen", "/api/v1/payment/orders/mine")
        return page.render("citizen/payments.html", **context(page, orders=orders))

    return router
