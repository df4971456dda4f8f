"""窗口评价 (一次一评) in the workbench: the window clerk records the visit just served and shows its rating code —
a QR code of the rating page and a link for the window's tablet, shown once in the answer to the POST and
nowhere else (the token is the only key to rate the visit) — and sees the visits they served with their status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno
from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.common.clock import utc_now
from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import VISIT_ROLES
from ywtb.portal.routes.citizen_visits import VISITS, lapsed
from ywtb.portal.routes.shared import refusal_errors
from ywtb.portal.routes.visit_forms import unknown_input, visit_body, visit_input, visit_values
from ywtb.portal.routes.workbench_common import optional, staff_user
from ywtb.portal.web import CurrentPage, Page

FORBIDDEN = "workbench.visits.forbidden"
MINE_SHOWN = 20
ITEMS = "/api/v1/catalog/items"


def visit_status(visit: dict[str, Any], now: datetime) -> str:
    """rated, open, or expired (open past its code's validity)."""
    if visit.get("rated") or visit.get("status") == "rated":
        return "rated"
    return "expired" if lapsed(visit, now) else "open"


def rating_url(page: Page, token: str) -> str:
    """The absolute address of the visit's rating page, at the portal's public address (the QR code's)."""
    return f"{page.settings.public_url}/rate/visit/{token}"


def qr_svg(page: Page, url: str) -> str:
    """The QR code of `url` as inline SVG, titled for screen readers."""
    svg: str = segno.make(url, error="m").svg_inline(
        scale=6, omitsize=True, title=page.t("workbench.visits.qr")
    )
    return svg


def department_items(page: Page, user: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(id, name) of the department's published items, for the form's list (None: they cannot be read)."""
    items = optional(page, ITEMS, tenant=user.get("tenant", ""), dept=user.get("dept", ""))
    if items is None:
        return None
    return [
        (item["id"], (item.get("guide") or {}).get("name") or item["id"])
        for item in items
        if item.get("published_version")
    ]


def visits_page(
    page: Page,
    user: dict[str, Any],
    values: dict[str, str],
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    code: dict[str, Any] | None = None,
) -> Response:
    """The form (with `values` and `errors`), the rating code just made (`code`) and the clerk's visits."""
    mine = optional(page, f"{VISITS}/mine", page_size=MINE_SHOWN) or []
    now = utc_now()
    for visit in mine:
        visit["shown_status"] = visit_status(visit, now)
    if not values.get("window") and mine:  # the clerk's window, as last recorded
        values = {**values, "window": mine[0].get("window", "")}
    return page.render(
        "workbench/visits.html",
        status_code,
        nav_current="visits",
        values=values,
        errors=errors or {},
        items=department_items(page, user),
        code=code,
        visits=mine,
        shown=MINE_SHOWN,
    )


def build_visits_router() -> APIRouter:
    """GET and POST /visits."""
    router = APIRouter()

    @router.get("/visits")
    def visits(page: CurrentPage) -> Response:
        user = staff_user(page, VISIT_ROLES, FORBIDDEN)
        draft = page.take_draft("staff")
        return visits_page(page, user, visit_values(draft.form) if draft else {})

    @router.post("/visits")
    async def record(page: CurrentPage) -> Response:
        user = staff_user(page, VISIT_ROLES, FORBIDDEN)
        body, errors, values = visit_body(await page.form(), page.t)
        if errors:
            return await run_in_threadpool(visits_page, page, user, values, 422, errors)
        sent = {name: value for name, value in body.items() if value}
        try:
            opened = await run_in_threadpool(page.post, "staff", VISITS, sent)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            if error.status == 404:
                errors = {unknown_input(body): page.message(error)}
            else:
                errors = refusal_errors(page, error, visit_input)
            return await run_in_threadpool(visits_page, page, user, values, error.status, errors)
        visit, token = opened["visit"], opened["token"]
        url = rating_url(page, token)
        code = {
            "visit": visit,
            "url": url,
            "qr_svg": qr_svg(page, url),
            "tablet_url": f"/rate/visit/{token}?tablet=1",
        }
        kept = {"window": visit.get("window", body["window"])}  # the next visit is likely at the same window
        return await run_in_threadpool(visits_page, page, user, kept, 200, None, code)

    return router
