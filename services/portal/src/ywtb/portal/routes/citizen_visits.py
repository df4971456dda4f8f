"""一次一评 for the visitor: the rating page of a window visit its QR code opens (anonymous, or real-name when
signed in), the same page on the window's tablet (?tablet=1: no site navigation, back to a waiting screen),
the one 追评 of a rated visit, and what to do when the code is unknown or has lapsed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.common.clock import utc_now
from ywtb.portal.deadline import parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_common import context
from ywtb.portal.routes.rating_forms import BAD
from ywtb.portal.routes.shared import refusal_errors
from ywtb.portal.routes.visit_forms import rating_body, rating_input, rating_values
from ywtb.portal.web import Area, CurrentPage, Page

VISITS = "/api/v1/evaluation/visits"
# the code's token (the gateway takes at most 64 of these); never logged (ywtb.portal.hidden_keys)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TABLET_HOME, DONE = "/rate/tablet", "/rate/done"
# form: the first rating; follow: the 追评 of a rated visit; followed: nothing left; lapsed, unknown: no form
State = Literal["form", "follow", "followed", "lapsed", "unknown"]
STATUS = {"lapsed": 410, "unknown": 404}


def lapsed(visit: dict[str, Any], now: datetime) -> bool:
    """The visit's code is past its validity."""
    expires = visit.get("expires_at")
    return bool(expires) and parse_instant(str(expires)) < now


def find_visit(page: Page, token: str) -> tuple[dict[str, Any] | None, State]:
    """The visit of a code (read anonymously: it is public) and the state its page opens in."""
    if not TOKEN.match(token):
        return None, "unknown"
    try:
        visit: dict[str, Any] = page.get(None, f"{VISITS}/{token}")
    except GatewayError as error:
        if error.status == 404:
            return None, "unknown"
        raise
    if lapsed(visit, utc_now()):
        return visit, "lapsed"
    return visit, "follow" if visit.get("rated") else "form"


def rater_area(page: Page, tablet: bool) -> Area | None:
    """Whose rating it is: the signed-in citizen's (real-name) on their own phone; anonymous on the tablet,
    which the window's visitors share."""
    return "citizen" if not tablet and page.user("citizen") else None


def visit_page(
    page: Page,
    token: str,
    visit: dict[str, Any] | None,
    state: State,
    tablet: bool,
    status_code: int | None = None,
    **extra: Any,
) -> Response:
    """The rating page of the visit in `state`; `extra`: a message, the values typed and their errors."""
    citizen = page.user("citizen") if rater_area(page, tablet) else None
    return page.render(
        "citizen/visit_rating.html",
        status_code or STATUS.get(state, 200),
        **context(
            page,
            token=token,
            visit=visit,
            state=state,
            tablet=tablet,
            rater=citizen,
            action=f"/rate/visit/{token}",
            **extra,
        ),
    )


def _refused(page: Page, follow_up: bool, error: GatewayError) -> tuple[State, dict[str, Any], int]:
    """(the page's state, its message or errors, the status) of the gateway's refusal of a rating."""
    if error.status == 404:
        return "unknown", {}, 404
    if error.code == "EVALUATION_VISIT_EXPIRED":
        return "lapsed", {}, 410
    if error.code == "EVALUATION_ALREADY_RATED":
        if follow_up:
            return "followed", {}, 409
        return "follow", {"message": page.t("visit.rated")}, 409
    if error.code == "EVALUATION_NOT_RATED":
        return "form", {"message": page.t("visit.not_rated")}, 409
    state: State = "follow" if follow_up else "form"
    return state, {"errors": refusal_errors(page, error, rating_input)}, error.status


def _done_message(page: Page, rating: dict[str, Any], real_name: bool) -> str:
    if rating.get("follow_up"):
        return page.t("evaluation.follow_up_done")
    if int(rating.get("level") or 0) <= BAD:
        return page.t("visit.done_bad_real" if real_name else "visit.done_bad")
    return page.t("visit.done")


def build_visits_router() -> APIRouter:
    """GET and POST /rate/visit/{token}, /rate/done and the tablet's waiting screen /rate/tablet."""
    router = APIRouter()

    @router.get("/rate/visit/{token}")
    def rating(page: CurrentPage, token: str, tablet: str = "") -> Response:
        visit, state = find_visit(page, token)
        draft = page.take_draft("citizen") if page.user("citizen") else None
        values = rating_values(draft.form) if draft else {}  # posted when the login had gone
        return visit_page(page, token, visit, state, tablet == "1", values=values)

    @router.post("/rate/visit/{token}")
    async def rate(page: CurrentPage, token: str) -> Response:
        form = await page.form()
        tablet, follow_up = form.get("mode") == "tablet", form.get("follow_up") == "yes"
        body, errors, values = rating_body(form, page.t)
        if not TOKEN.match(token):
            return await run_in_threadpool(visit_page, page, token, None, "unknown", tablet)
        if errors:
            visit, state = await run_in_threadpool(find_visit, page, token)
            if state not in ("form", "follow"):  # lapsed or unknown meanwhile: that is what it says
                return await run_in_threadpool(visit_page, page, token, visit, state, tablet)
            state = "follow" if follow_up else "form"
            return await run_in_threadpool(
                visit_page, page, token, visit, state, tablet, 422, values=values, errors=errors
            )
        area = rater_area(page, tablet)
        try:
            rated = await run_in_threadpool(page.api, area, "POST", f"{VISITS}/{token}/ratings", json=body)
        except GatewayError as error:
            if error.status >= 500 or error.status == 401:
                raise
            state, shown, status = _refused(page, follow_up, error)
            visit = None if state == "unknown" else (await run_in_threadpool(find_visit, page, token))[0]
            return await run_in_threadpool(
                visit_page, page, token, visit, state, tablet, status, values=values, **shown
            )
        page.flash(_done_message(page, rated, real_name=area is not None))
        return page.redirect(TABLET_HOME if tablet else DONE)

    @router.get("/rate/done")
    def done(page: CurrentPage) -> Response:
        return page.render("citizen/visit_done.html", **context(page, tablet=False))

    @router.get(TABLET_HOME)
    def waiting(page: CurrentPage) -> Response:
        return page.render("citizen/visit_done.html", **context(page, tablet=True))

    return router
