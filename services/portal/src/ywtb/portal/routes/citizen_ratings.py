"""好差评 of the citizen: rating a stage of a case (or 追评) from its page, 我的评价, and confirming the
rectification of a bad review (from the case page or 我的评价)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_cases import case_page
from ywtb.portal.routes.citizen_common import CASE_NO, context
from ywtb.portal.routes.citizen_rating_reads import EVALUATION, my_ratings
from ywtb.portal.routes.rating_forms import (
    BAD,
    confirm_body,
    confirm_names,
    confirm_values,
    rating_body,
    rating_renamer,
    rating_values,
)
from ywtb.portal.routes.shared import SAFE_ID, path_id, refusal_errors
from ywtb.portal.web import CurrentPage, Page

CONFIRM_ACTION = r"/ratings/rectifications/([^/]+)/confirmation"
CASE_BACK = re.compile(r"^/cases/([0-9A-Za-z-]{6,64})$")
# a rating sent twice (a double click), or a stage no longer open: told on the case page, not as an error page
TOLD_ON_THE_CASE = {"EVALUATION_ALREADY_RATED": "info", "EVALUATION_NOT_RATEABLE": "error"}


def ratings_page(page: Page, status_code: int = 200, **extra: Any) -> Response:
    """我的评价; `extra` re-fills a confirmation form with its messages."""
    mine = my_ratings(page)
    return page.render(
        "citizen/ratings.html",
        status_code,
        **context(
            page,
            ratings=mine.get("ratings", []),
            rectifications=mine.get("rectifications", []),
            to_rate=[s for s in mine.get("rateable", []) if not s.get("rated")],
            **extra,
        ),
    )


def _passed_on(error: GatewayError) -> bool:
    """A failure shown as the error page (the platform down), not next to the form."""
    return error.status >= 500


def _back(form: dict[str, Any]) -> str:
    """Where a confirmation form was: a case page or 我的评价."""
    back = str(form.get("back") or "")
    return back if CASE_BACK.match(back) else "/ratings"


def _refused_confirmation(
    page: Page, back: str, rectification_id: str, form: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    """The page of the confirmation form again, with its messages and what was typed."""
    values = confirm_values(form, rectification_id)
    found = CASE_BACK.match(back)
    if found:
        opened = {"rating_values": values, "rating_errors": errors, "rating_open": rectification_id}
        return case_page(page, found.group(1), status, **opened)
    return ratings_page(page, status, values=values, errors=errors, open_form=rectification_id)


def build_ratings_router() -> APIRouter:
    """/ratings (我的评价), POST /cases/{case_no}/ratings and /ratings/rectifications/{id}/confirmation."""
    router = APIRouter()

    @router.get("/ratings")
    def mine(page: CurrentPage) -> Response:
        page.require("citizen")
        draft = page.take_draft("citizen", CONFIRM_ACTION)
        if draft is None:
            return ratings_page(page)
        rectification_id = draft.match.group(1)
        values = confirm_values(draft.form, rectification_id)
        return ratings_page(page, values=values, open_form=rectification_id)

    @router.post("/cases/{case_no}/ratings")
    async def rate(page: CurrentPage, case_no: str) -> Response:
        page.require("citizen")
        number = path_id(case_no, CASE_NO)
        form = await page.form()
        body, errors = rating_body(form, page.t)
        prefix, values = rating_values(form)
        shown = {"rating_values": values, "rating_open": prefix}
        if errors:
            return await run_in_threadpool(case_page, page, case_no, 422, rating_errors=errors, **shown)
        path = f"{EVALUATION}/cases/{number}/ratings"
        try:
            rating = await run_in_threadpool(page.post, "citizen", path, body)
        except GatewayError as error:
            if _passed_on(error):
                raise
            if error.code in TOLD_ON_THE_CASE:
                page.flash(page.message(error), "info" if error.status == 409 else "error")
                return page.redirect(f"/cases/{number}#rating")
            errors = refusal_errors(page, error, rating_renamer(prefix))
            return await run_in_threadpool(
                case_page, page, case_no, error.status, rating_errors=errors, **shown
            )
        if body["follow_up"]:
            page.flash(page.t("evaluation.follow_up_done"))
        else:
            page.flash(page.t("evaluation.done_bad" if rating["level"] <= BAD else "evaluation.done"))
        return page.redirect(f"/cases/{number}#rating")

    @router.post("/ratings/rectifications/{rectification_id}/confirmation")
    async def confirm(page: CurrentPage, rectification_id: str) -> Response:
        page.require("citizen")
        path = f"{EVALUATION}/rectifications/{path_id(rectification_id, SAFE_ID)}/confirmation"
        form = await page.form()
        back = _back(form)
        body, errors = confirm_body(form, rectification_id, page.t)
        if errors:
            return await run_in_threadpool(
                _refused_confirmation, page, back, rectification_id, form, errors, 422
            )
        try:
            await run_in_threadpool(page.post, "citizen", path, body)
        except GatewayError as error:
            if _passed_on(error):
                raise
            satisfied, comment = confirm_names(rectification_id)
            errors = refusal_errors(page, error, lambda name: comment if name == "comment" else satisfied)
            return await run_in_threadpool(
                _refused_confirmation, page, back, rectification_id, form, errors, error.status
            )
        page.flash(
            page.t("evaluation.confirm.done_yes" if body["satisfied"] else "evaluation.confirm.done_no")
        )
        return page.redirect(back + ("#rating" if back != "/ratings" else ""))

    return router
