"""Approval tasks on the workbench (我的待办): the list, claiming a task and completing it with an opinion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import QUEUE_ROLES, has_role
from ywtb.portal.routes.shared import path_id, refusal_errors
from ywtb.portal.routes.workbench_common import completion_values, open_tasks, staff_user, urgent
from ywtb.portal.routes.workbench_intake import case_again
from ywtb.portal.web import CurrentPage, Page

MAX_OPINION = 2000


def _item_names(page: Page, user: dict[str, Any]) -> dict[str, dict]:
    """Accepted cases of the user's queue by number (item and applicant for the task list); best effort."""
    if not has_role(user, QUEUE_ROLES):
        return {}
    try:
        cases = page.get("staff", "/api/v1/cases", tenant=user["tenant"], status="accepted", page_size=200)
    except GatewayError:
        return {}
    return {case["case_no"]: case for case in cases}


def tasks_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    """The task list; `extra` opens one task's form with its messages and values."""
    tasks = open_tasks(page, user)
    return page.render(
        "workbench/tasks.html",
        status_code,
        nav_current="tasks",
        tasks=tasks,
        cases=_item_names(page, user),
        urgent=urgent(tasks),
        **extra,
    )


def _completion_errors(
    page: Page, form: dict[str, Any], body: dict[str, str], task_id: str
) -> dict[str, str]:
    """The completion form's own checks: a decision where one is needed, an opinion (a reason to deny)."""
    errors = {}
    if form.get("decision_required") == "yes" and not body["decision"]:
        errors[f"decision-{task_id}"] = page.t("workbench.task.decision_required")
    if not body["opinion"]:
        deny = body["decision"] == "deny"
        key = "workbench.task.reason_required" if deny else "workbench.task.opinion_required"
        errors[f"opinion-{task_id}"] = page.t(key)
    elif len(body["opinion"]) > MAX_OPINION:
        errors[f"opinion-{task_id}"] = page.t("workbench.task.opinion_too_long")
    return errors


def _back(form: dict[str, Any], case_no: str) -> str:
    """Where a task action returns: the case page or the task list."""
    return f"/workbench/cases/{path_id(case_no)}" if form.get("back") == "case" else "/workbench/tasks"


def build_tasks_router() -> APIRouter:
    """/tasks and the claim and complete actions."""
    router = APIRouter()

    @router.get("/tasks")
    def tasks(page: CurrentPage) -> Response:
        user = staff_user(page)
        draft = page.take_draft("staff", r"/workbench/tasks/[^/]+/([^/]+)/complete")
        if draft is None:
            return tasks_page(page, user)
        task_id = draft.match.group(1)
        values = completion_values(draft.form, task_id)[1]
        return tasks_page(page, user, values=values, open_form=f"task-{task_id}")

    @router.post("/tasks/{case_no}/{task_id}/claim")
    async def claim(page: CurrentPage, case_no: str, task_id: str) -> Response:
        staff_user(page)
        form = await page.form()
        back = _back(form, case_no)
        path = f"/api/v1/cases/{path_id(case_no)}/tasks/{path_id(task_id)}/claim"
        try:
            task = await run_in_threadpool(page.post, "staff", path)
        except GatewayError as error:
            page.flash(page.message(error), "error")
            return page.redirect(back)
        page.flash(page.t("workbench.task.claimed", title=task.get("title", ""), case_no=case_no))
        return page.redirect(back)

    @router.post("/tasks/{case_no}/{task_id}/complete")
    async def complete(page: CurrentPage, case_no: str, task_id: str) -> Response:
        user = staff_user(page)
        form = await page.form()
        body, values = completion_values(form, task_id)
        errors = _completion_errors(page, form, body, task_id)
        path = f"/api/v1/cases/{path_id(case_no)}/tasks/{path_id(task_id)}/complete"
        status = 422
        if not errors:
            try:
                await run_in_threadpool(page.post, "staff", path, body)
            except GatewayError as error:
                errors = refusal_errors(page, error, lambda key: f"{key}-{task_id}")
                status = error.status
            else:
                page.flash(page.t("workbench.task.completed", case_no=case_no))
                return page.redirect(_back(form, case_no))
        if form.get("back") == "case":
            return await case_again(page, user, case_no, f"task-{task_id}", errors, values, status)
        return await run_in_threadpool(
            tasks_page, page, user, status, errors=errors, values=values, open_form=f"task-{task_id}"
        )

    return router
