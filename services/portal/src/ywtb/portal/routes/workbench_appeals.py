"""申诉审核 in the workbench: the appeals of ratings the user may see (a department admin's department's, a
tenant admin's tenants'), pending first; tenant admins decide the pending ones (成立 excludes the rating from
the indicators, kept, never deleted)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import APPEAL_DECIDE_ROLES, APPEAL_ROLES, has_role
from ywtb.portal.routes.shared import path_id, refusal_errors
from ywtb.portal.routes.workbench_common import department_names, staff_user
from ywtb.portal.web import CurrentPage, Page

APPEALS = "/api/v1/evaluation/appeals"
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CASE_NO = re.compile(r"^[0-9A-Za-z-]{1,64}$")
PENDING = "APPEAL_STATUS_PENDING"
FORBIDDEN, DECIDE_FORBIDDEN = "workbench.appeals.forbidden", "workbench.appeals.decide_forbidden"
ACTIONS = r"/workbench/appeals/([^/]+)/decision"


def typed_values(form: dict[str, Any], appeal_id: str) -> dict[str, str]:
    """What was typed into an appeal's decision form, under its inputs' names."""
    return {
        f"approve-{appeal_id}": str(form.get("approve") or ""),
        f"decision-{appeal_id}": str(form.get("decision") or ""),
    }


def appeals_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    """The pending appeals, then the decided ones; `extra` opens a decision form with its messages."""
    appeals = page.get("staff", APPEALS)
    return page.render(
        "workbench/appeals.html",
        status_code,
        nav_current="appeals",
        pending=[a for a in appeals if a.get("status") == PENDING],
        decided=[a for a in appeals if a.get("status") != PENDING],
        dept_names=department_names(page, user),
        can_decide=has_role(user, APPEAL_DECIDE_ROLES),
        **extra,
    )


def build_appeals_router() -> APIRouter:
    """/appeals and POST /appeals/{appeal_id}/decision."""
    router = APIRouter()

    @router.get("/appeals")
    def appeals(page: CurrentPage) -> Response:
        user = staff_user(page, APPEAL_ROLES, FORBIDDEN)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return appeals_page(page, user)
        appeal_id = draft.match.group(1)
        return appeals_page(page, user, values=typed_values(draft.form, appeal_id), open_form=appeal_id)

    @router.post("/appeals/{appeal_id}/decision")
    async def decide(page: CurrentPage, appeal_id: str) -> Response:
        user = staff_user(page, APPEAL_DECIDE_ROLES, DECIDE_FORBIDDEN)
        path = f"{APPEALS}/{path_id(appeal_id, ID)}/decision"
        form = await page.form()
        approve, decision = str(form.get("approve") or ""), str(form.get("decision") or "").strip()
        values = typed_values(form, appeal_id)
        outcome, text = f"approve-{appeal_id}", f"decision-{appeal_id}"
        if approve not in ("yes", "no"):
            errors = {outcome: page.t("workbench.appeals.choose")}
            return await run_in_threadpool(
                appeals_page, page, user, 422, errors=errors, values=values, open_form=appeal_id
            )
        body = {"approve": approve == "yes", "decision": decision}
        try:
            await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            errors = refusal_errors(page, error, lambda name: outcome if name == "approve" else text)
            return await run_in_threadpool(
                appeals_page, page, user, error.status, errors=errors, values=values, open_form=appeal_id
            )
        case_no = str(form.get("case_no") or "")
        done = "approved_done" if body["approve"] else "rejected_done"
        page.flash(page.t(f"workbench.appeals.{done}", case_no=case_no if CASE_NO.match(case_no) else ""))
        return page.redirect("/workbench/appeals")

    return router
