"""咨询投诉 in the workbench: the department's consultations and complaints, the unanswered ones first by their
reply deadline (working days) with the overdue and answered-late marks; each answered by the department's
clerks, approvers and admins (published when the asker consented); the complaints escalated to the tenant's
政务服务管理 are its tenant admins' to answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import ESCALATION_ROLES, INQUIRY_ANSWER_ROLES, INQUIRY_ROLES, has_role
from ywtb.portal.routes.inquiry_forms import (
    ANSWERED,
    ASKED,
    ESCALATED,
    ID,
    answer_body,
    answer_names,
    answer_values,
)
from ywtb.portal.routes.shared import path_id, refusal_errors
from ywtb.portal.routes.workbench_common import deadline_of, department_names, staff_user, today, urgent
from ywtb.portal.web import CurrentPage, Page

INQUIRIES = "/api/v1/evaluation/inquiries"
FORBIDDEN = "workbench.inquiries.forbidden"
ACTIONS = r"/workbench/inquiries/([^/]+)/reply"


def can_answer(user: dict[str, Any], inquiry: dict[str, Any]) -> bool:
    """The user may answer it: an escalated complaint its tenant's admins, an open one its department's staff."""
    if inquiry.get("status") == ESCALATED:
        return has_role(user, ESCALATION_ROLES)
    own = (user.get("tenant"), user.get("dept")) == (inquiry.get("tenant"), inquiry.get("dept"))
    return inquiry.get("status") == ASKED and own and has_role(user, INQUIRY_ANSWER_ROLES)


def inquiries_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    """The unanswered inquiries (due first) and the answered ones (latest first); `extra` opens an answer
    form with its messages and what was typed."""
    found = page.get("staff", INQUIRIES)
    handles_department = has_role(user, INQUIRY_ANSWER_ROLES)
    if not handles_department:  # a tenant admin: the complaints escalated to them
        found = [i for i in found if i.get("escalation")]
    day = today()
    for inquiry in found:
        open_ = inquiry.get("status") != ANSWERED
        inquiry["deadline"] = deadline_of(inquiry.get("reply_due"), day, "reply") if open_ else None
        inquiry["can_answer"] = can_answer(user, inquiry)
    waiting = [i for i in found if i.get("status") != ANSWERED]
    answered = sorted(
        (i for i in found if i.get("status") == ANSWERED),
        key=lambda i: i.get("replied_at") or "",
        reverse=True,
    )
    return page.render(
        "workbench/inquiries.html",
        status_code,
        nav_current="inquiries",
        waiting=waiting,
        waiting_urgent=urgent(waiting),
        answered=answered,
        dept_names=department_names(page, user),
        handles_department=handles_department,
        **extra,
    )


def build_inquiries_router() -> APIRouter:
    """/inquiries and POST /inquiries/{id}/reply."""
    router = APIRouter()

    @router.get("/inquiries")
    def inquiries(page: CurrentPage) -> Response:
        user = staff_user(page, INQUIRY_ROLES, FORBIDDEN)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return inquiries_page(page, user)
        inquiry_id = draft.match.group(1)
        return inquiries_page(page, user, values=answer_values(draft.form, inquiry_id), open_form=inquiry_id)

    @router.post("/inquiries/{inquiry_id}/reply")
    async def answer(page: CurrentPage, inquiry_id: str) -> Response:
        user = staff_user(page, INQUIRY_ROLES, FORBIDDEN)
        path = f"{INQUIRIES}/{path_id(inquiry_id, ID)}/reply"
        form = await page.form()
        body = answer_body(form)
        try:
            done = await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:  # refused, or the service down: the answer kept in its form
            reply, publish = answer_names(inquiry_id)
            errors = refusal_errors(page, error, lambda name: publish if name == "publish" else reply)
            values = answer_values(form, inquiry_id)
            return await run_in_threadpool(
                inquiries_page, page, user, error.status, errors=errors, values=values, open_form=inquiry_id
            )
        done_key = (
            "workbench.inquiries.done_published" if done.get("published") else "workbench.inquiries.done"
        )
        page.flash(page.t(done_key, title=done.get("title", "")))
        return page.redirect("/workbench/inquiries")

    return router
