"""好差评设置 of the admin's tenant (its tenant admins): the stages rated, the default rating, the callback and
rectification limits of bad reviews, the reply limits of consultations and complaints (咨询投诉); the tenant's
indicators of the last 30 days beside them, and each staff member's."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import EVALUATION_SETTINGS_ROLES
from ywtb.portal.routes.admin_common import common
from ywtb.portal.routes.staff_figures import COLUMNS, staff_figures
from ywtb.portal.web import CurrentPage, Page

SETTINGS = "/api/v1/evaluation/settings"
INDICATORS = "/api/v1/evaluation/indicators"
FLAGS = ("rate_at_receipt", "rate_at_acceptance")
# each number of the form and its range (the evaluation service's, told here next to the input)
RANGES = {
    "default_after_days": (1, 60),
    "default_level": (3, 5),
    "callback_workdays": (1, 5),
    "rectify_workdays": (1, 60),
    "consultation_workdays": (1, 30),
    "complaint_workdays": (1, 30),
}
NUMBERS = tuple(RANGES)
DEFAULT_LEVELS = (5, 4, 3)
Translate = Callable[..., str]
# the indicators shown, in order, and whether each is a percentage
FIGURES = (
    ("rateable", False),
    ("rated", False),
    ("active_rate", True),
    ("ratings", False),
    ("good", False),
    ("good_rate", True),
    ("bad", False),
    ("rectified", False),
    ("rectification_rate", True),
    ("satisfaction", True),
)


def settings_values(settings: dict[str, Any]) -> dict[str, Any]:
    """The form's values of the tenant's settings."""
    return {
        **{flag: bool(settings.get(flag)) for flag in FLAGS},
        **{number: str(settings.get(number, "")) for number in NUMBERS},
    }


def typed_values(form: dict[str, Any]) -> dict[str, Any]:
    """What was posted: the flags ticked, the numbers as typed (trimmed)."""
    return {
        **{flag: form.get(flag) == "1" for flag in FLAGS},
        **{number: str(form.get(number) or "").strip() for number in NUMBERS},
    }


def settings_body(values: dict[str, Any], t: Translate) -> tuple[dict[str, Any], dict[str, str]]:
    """(UpdateSettings body, messages by input): each number a whole number (full-width digits taken) in its
    range."""
    body: dict[str, Any] = {flag: values[flag] for flag in FLAGS}
    errors = {}
    for number, (low, high) in RANGES.items():
        text = unicodedata.normalize("NFKC", values[number])
        if not (text.isdigit() and len(text) <= 6):
            errors[number] = t("admin.evaluation.whole")
        elif not low <= int(text) <= high:
            errors[number] = t(f"admin.evaluation.range.{number}")
        else:
            body[number] = int(text)
    return body, errors


def refusals(page: Page, error: GatewayError) -> dict[str, str]:
    """The gateway's messages next to the form's inputs; its message at the top for any other field."""
    fields = error.field_errors()
    errors = {name: message for name, message in fields.items() if name in (*FLAGS, *NUMBERS)}
    if not errors or len(errors) < len(fields):
        errors["_form"] = page.message(error)
    return errors


def _indicators(page: Page) -> dict[str, Any] | None:
    """The tenant's indicators of the last 30 days (None when they cannot be read)."""
    try:
        found: dict[str, Any] = page.get("staff", INDICATORS)
    except GatewayError:
        return None
    return found


def settings_page(
    page: Page, user: dict[str, Any], values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    """The settings form with `values` and their messages, and the indicators."""
    return page.render(
        "admin/evaluation.html",
        status_code,
        values=values,
        errors=errors,
        indicators=_indicators(page),
        figures=FIGURES,
        staff_rows=staff_figures(page, user),
        staff_columns=COLUMNS,
        ranges=RANGES,
        default_levels=[(str(level), page.t(f"evaluation.level.{level}")) for level in DEFAULT_LEVELS],
        **common(page, user),
    )


def build_admin_evaluation_router() -> APIRouter:
    """/evaluation: the settings form and its POST."""
    router = APIRouter()

    @router.get("/evaluation", response_class=HTMLResponse)
    def settings(page: CurrentPage) -> HTMLResponse:
        user = page.require("staff", EVALUATION_SETTINGS_ROLES, "admin.evaluation.forbidden")
        draft = page.take_draft("staff")
        values = typed_values(draft.form) if draft else settings_values(page.get("staff", SETTINGS))
        return settings_page(page, user, values, {})

    @router.post("/evaluation", response_class=HTMLResponse)
    async def save(page: CurrentPage) -> Response:
        user = page.require("staff", EVALUATION_SETTINGS_ROLES, "admin.evaluation.forbidden")
        values = typed_values(await page.form())
        body, errors = settings_body(values, page.t)
        status = 422
        if not errors:
            try:  # the settings are replaced whole: those the form does not show are sent as they are
                current = await run_in_threadpool(page.get, "staff", SETTINGS)
                kept = {name: value for name, value in current.items() if name != "tenant"}
                await run_in_threadpool(page.api, "staff", "PUT", SETTINGS, json={**kept, **body})
            except GatewayError as error:
                if error.status >= 500:
                    raise
                errors, status = refusals(page, error), error.status
            else:
                page.flash(page.t("admin.evaluation.saved"))
                return page.redirect("/admin/evaluation")
        return await run_in_threadpool(settings_page, page, user, values, errors, status)

    return router
