"""对账差异 in the workbench: where the orders and the payment platform's statements disagree, open ones first,
each resolved with a reason; 按日对账 of a past day by tenant and platform admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ywtb.common import tenancy
from ywtb.common.money import yuan
from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import RECONCILE_ROLES, has_role
from ywtb.portal.routes.shared import refusal_errors
from ywtb.portal.routes.workbench_common import staff_user, today
from ywtb.portal.web import CurrentPage, Page

MISMATCHES = "/api/v1/payment/mismatches"
# The department admins of the order's department and the tenant admins above it; the platform admin
DAY_ROLES = frozenset({tenancy.TENANT_ADMIN, tenancy.PLATFORM_ADMIN})  # a day's statement spans departments
FORBIDDEN, DAY_FORBIDDEN = "workbench.reconciliation.forbidden", "workbench.reconciliation.day_forbidden"
ACTIONS = r"/workbench/reconciliation/(?:mismatches/(\d{1,19})/resolution|days)"
DAY_FIELD = "reconcile_day"
MAX_ID = 2**62


def reason_name(mismatch_id: str) -> str:
    """The name of a mismatch's resolution input (and of its messages)."""
    return f"resolve_reason-{mismatch_id}"


def typed_values(form: dict[str, Any], mismatch_id: str | None) -> dict[str, str]:
    """What was typed into a mismatch's resolution form (or, without an id, the 按日对账 form)."""
    if mismatch_id is None:
        return {DAY_FIELD: str(form.get("day") or "")}
    return {reason_name(mismatch_id): str(form.get("reason") or "")}


def report_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    """The open mismatches, then the resolved ones; `extra` opens one form with its messages and values."""
    return page.render(
        "workbench/reconciliation.html",
        status_code,
        nav_current="reconciliation",
        open_mismatches=page.get("staff", MISMATCHES, status="open"),
        resolved_mismatches=page.get("staff", MISMATCHES, status="resolved"),
        can_reconcile_day=has_role(user, DAY_ROLES),
        yesterday=(today() - timedelta(days=1)).isoformat(),
        yuan=yuan,
        **extra,
    )


async def _refused(
    page: Page,
    user: dict[str, Any],
    mismatch_id: str | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> Response:
    """The report again with the form's messages and what was typed."""
    values = typed_values(form, mismatch_id)
    opened = f"resolve-{mismatch_id}" if mismatch_id else "day"
    return await run_in_threadpool(
        report_page, page, user, status, errors=errors, values=values, open_form=opened
    )


def build_reconciliation_router() -> APIRouter:
    """/reconciliation (the report), POST /reconciliation/mismatches/{id}/resolution and /reconciliation/days."""
    router = APIRouter()

    @router.get("/reconciliation")
    def report(page: CurrentPage) -> Response:
        user = staff_user(page, RECONCILE_ROLES, FORBIDDEN)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return report_page(page, user)
        mismatch_id = draft.match.group(1)
        opened = f"resolve-{mismatch_id}" if mismatch_id else "day"
        return report_page(page, user, values=typed_values(draft.form, mismatch_id), open_form=opened)

    @router.post("/reconciliation/mismatches/{mismatch_id}/resolution")
    async def resolve(page: CurrentPage, mismatch_id: str) -> Response:
        user = staff_user(page, RECONCILE_ROLES, FORBIDDEN)
        if not mismatch_id.isdigit() or not 0 < int(mismatch_id) <= MAX_ID:
            raise HTTPException(404)
        form = await page.form()
        body = {"reason": str(form.get("reason") or "").strip()}
        path = f"{MISMATCHES}/{mismatch_id}/resolution"
        try:
            resolved = await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            errors = refusal_errors(page, error, lambda _: reason_name(mismatch_id))
            return await _refused(page, user, mismatch_id, form, errors, error.status)
        kind = page.t(f"workbench.reconciliation.kind.{resolved['kind']}")
        page.flash(
            page.t("workbench.reconciliation.resolved_done", kind=kind, notice_no=resolved["notice_no"])
        )
        return page.redirect("/workbench/reconciliation")

    @router.post("/reconciliation/days")
    async def reconcile_day(page: CurrentPage) -> Response:
        user = staff_user(page, DAY_ROLES, DAY_FORBIDDEN)
        form = await page.form()
        body = {"day": str(form.get("day") or "").strip()}
        try:
            done = await run_in_threadpool(page.post, "staff", "/api/v1/payment/reconciliations", body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            errors = refusal_errors(page, error, lambda _: DAY_FIELD)
            return await _refused(page, user, None, form, errors, error.status)
        page.flash(page.t("workbench.reconciliation.reconciled", **done))
        return page.redirect("/workbench/reconciliation")

    return router
