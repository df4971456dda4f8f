"""评价与差评整改 in the workbench: the department's bad reviews, open first with their deadlines, each called
back (回访) then rectified (整改结果); its recent ratings with the rater as the API shows them; 申诉 of a rating
by the department's admins; each staff member's figures for the department admins."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.common.clock import utc_now
from ywtb.portal.deadline import parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import (
    APPEAL_FILE_ROLES,
    EVALUATION_ROLES,
    RECTIFY_ROLES,
    STAFF_FIGURES_ROLES,
    has_role,
)
from ywtb.portal.routes.shared import path_id, refusal_errors
from ywtb.portal.routes.staff_figures import COLUMNS, staff_figures
from ywtb.portal.routes.workbench_common import PAGE_SIZE, department_names, staff_user
from ywtb.portal.web import CurrentPage, Page

EVALUATION = "/api/v1/evaluation"
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a rating or rectification id, as the gateway takes it
CASE_NO = re.compile(r"^[0-9A-Za-z-]{1,64}$")
FORBIDDEN = "workbench.ratings.forbidden"
ACTIONS = r"/workbench/ratings/(?:rectifications/([^/]+)/(callback|result)|([^/]+)/appeals)"
TO_CALL, CALLED_BACK = "RECTIFICATION_STATUS_TO_CALL", "RECTIFICATION_STATUS_CALLED_BACK"
CLOSED = (
    "RECTIFICATION_STATUS_CONFIRMED",
    "RECTIFICATION_STATUS_DISPUTED",
    "RECTIFICATION_STATUS_WITHDRAWN",
)
PENDING = "APPEAL_STATUS_PENDING"
BAD_SHOWN = 100  # the bad reviews read to name the rater of each rectification
# each form: the gateway's fields → the inputs' kinds (named "<kind>-<id>")
FIELDS = {
    "callback": {"note": "note"},
    "result": {"result": "result"},
    "appeal": {"reason": "reason", "evidence": "evidence"},
}


def typed_values(form: dict[str, Any], key: str, action: str) -> dict[str, str]:
    """What was typed into a rectification's "callback" or "result" form, or a rating's "appeal" form."""
    return {f"{kind}-{key}": str(form.get(field) or "") for field, kind in FIELDS[action].items()}


def _late(due: str | None, now: datetime) -> bool:
    return bool(due) and parse_instant(str(due)) < now


def with_deadlines(rectification: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The rectification with whether its callback and its rectification are late (the sweep's flags, or
    past their due time while still open)."""
    status = rectification.get("status")
    rectification["callback_late"] = bool(rectification.get("callback_overdue")) or (
        status == TO_CALL and _late(rectification.get("callback_due"), now)
    )
    rectification["rectify_late"] = bool(rectification.get("rectify_overdue")) or (
        status in (TO_CALL, CALLED_BACK) and _late(rectification.get("rectify_due"), now)
    )
    return rectification


def ratings_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    """The rectifications and the recent ratings; `extra` opens one form with its messages and values."""
    can_appeal = has_role(user, APPEAL_FILE_ROLES)
    rectifications = page.get("staff", f"{EVALUATION}/rectifications")
    ratings = page.get("staff", f"{EVALUATION}/ratings", page_size=PAGE_SIZE)
    bad = page.get("staff", f"{EVALUATION}/ratings", bad_only=True, page_size=BAD_SHOWN)
    by_id = {rating["id"]: rating for rating in [*bad, *ratings]}
    appeals = page.get("staff", f"{EVALUATION}/appeals", pending_only=True) if can_appeal else []
    figures = has_role(user, STAFF_FIGURES_ROLES)
    now = utc_now()
    for rectification in rectifications:
        with_deadlines(rectification, now)["rating"] = by_id.get(rectification["rating_id"])
    return page.render(
        "workbench/ratings.html",
        status_code,
        nav_current="ratings",
        rectifications=rectifications,
        open_count=sum(r["status"] not in CLOSED for r in rectifications),
        ratings=ratings,
        appealed={a["rating_id"] for a in appeals if a.get("status") == PENDING},
        dept_names=department_names(page, user),
        can_handle=has_role(user, RECTIFY_ROLES),
        can_appeal=can_appeal,
        show_staff_figures=figures,
        staff_rows=staff_figures(page, user, user.get("dept", "")) if figures else None,
        staff_columns=COLUMNS,
        **extra,
    )


async def _refused(
    page: Page,
    user: dict[str, Any],
    key: str,
    action: str,
    form: dict[str, Any],
    error: GatewayError,
) -> Response:
    """The page again with the form open, the gateway's messages next to its inputs and what was typed."""
    fields = FIELDS[action]
    first = next(iter(fields.values()))
    errors = refusal_errors(page, error, lambda name: f"{fields.get(name, first)}-{key}")
    values = typed_values(form, key, action)
    return await run_in_threadpool(
        ratings_page, page, user, error.status, errors=errors, values=values, open_form=f"{action}-{key}"
    )


def build_ratings_router() -> APIRouter:
    """/ratings, POST /ratings/rectifications/{id}/callback and /result, POST /ratings/{rating_id}/appeals."""
    router = APIRouter()

    @router.get("/ratings")
    def ratings(page: CurrentPage) -> Response:
        user = staff_user(page, EVALUATION_ROLES, FORBIDDEN)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return ratings_page(page, user)
        rectification_id, step, rating_id = draft.match.groups()
        key, action = (rectification_id, step) if rectification_id else (rating_id, "appeal")
        values = typed_values(draft.form, key, action)
        return ratings_page(page, user, values=values, open_form=f"{action}-{key}")

    async def step(page: Page, rectification_id: str, action: str) -> Response:
        """Record a rectification's callback or result (the department's clerks, approvers and admins)."""
        user = staff_user(page, RECTIFY_ROLES, FORBIDDEN)
        path = f"{EVALUATION}/rectifications/{path_id(rectification_id, ID)}/{action}"
        form = await page.form()
        field = next(iter(FIELDS[action]))
        try:
            done = await run_in_threadpool(
                page.post, "staff", path, {field: str(form.get(field) or "").strip()}
            )
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            return await _refused(page, user, rectification_id, action, form, error)
        page.flash(page.t(f"workbench.ratings.{action}_done", case_no=done.get("case_no", "")))
        return page.redirect("/workbench/ratings")

    @router.post("/ratings/rectifications/{rectification_id}/callback")
    async def callback(page: CurrentPage, rectification_id: str) -> Response:
        return await step(page, rectification_id, "callback")

    @router.post("/ratings/rectifications/{rectification_id}/result")
    async def result(page: CurrentPage, rectification_id: str) -> Response:
        return await step(page, rectification_id, "result")

    @router.post("/ratings/{rating_id}/appeals")
    async def appeal(page: CurrentPage, rating_id: str) -> Response:
        user = staff_user(page, APPEAL_FILE_ROLES, FORBIDDEN)
        path = f"{EVALUATION}/ratings/{path_id(rating_id, ID)}/appeals"
        form = await page.form()
        body = {name: str(form.get(name) or "").strip() for name in FIELDS["appeal"]}
        try:
            await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            return await _refused(page, user, rating_id, "appeal", form, error)
        case_no = str(form.get("case_no") or "")
        page.flash(page.t("workbench.ratings.appeal_done", case_no=case_no if CASE_NO.match(case_no) else ""))
        return page.redirect("/workbench/ratings")

    return router
