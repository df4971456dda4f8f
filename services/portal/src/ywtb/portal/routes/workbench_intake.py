"""The intake side of the workbench: the queue, a case with its materials, 受理 / 不予受理 / 一次性告知."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ywtb.portal.deadline import NOON, intake_deadline, national_calendar
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import short_code
from ywtb.portal.roles import QUEUE_ROLES, has_role
from ywtb.portal.routes.shared import path_id, proxied_file, refusal_errors
from ywtb.portal.routes.workbench_common import (
    PAGE_SIZE,
    completion_values,
    deadline_of,
    open_tasks,
    optional,
    queue_cases,
    staff_user,
    today,
    urgent,
)
from ywtb.portal.web import CurrentPage, Page

CLERK = frozenset({"window_clerk"})
QUEUE_STATUSES = ("submitted", "correction_requested", "accepted", "rejected")
ACCEPT_MODES = ("NORMAL", "TOLERANT", "COMMITMENT")
# action → (the gateway's endpoint, its field names → the form's)
INTAKE_ACTIONS = {
    "accept": (
        "accept",
        {
            "supply_workdays": "supply_by",
            "promise_signed": "promise_signed",
            "mode": "mode",
            "opinion": "accept_opinion",
        },
    ),
    "reject": ("reject", {}),
    "correction": ("correction-request", {"deficiencies": "deficient"}),
}

Check = Callable[[Page, dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]


def _guide_materials(page: Page, case: dict[str, Any]) -> tuple[list[dict], dict[str, str]]:
    """The materials of the case's item (or bundle) and the titles of its form fields; empty when unknown."""
    try:
        if case.get("bundle_code"):
            bundle = page.get(None, f"/api/v1/catalog/bundles/{path_id(case['bundle_code'])}")
            return [m["material"] for m in bundle.get("materials", [])], {}
        guide = page.get(
            None, f"/api/v1/catalog/items/{path_id(case['item_id'])}/guide", version=case["item_version"]
        )
    except (GatewayError, HTTPException):
        return [], {}
    body = guide.get("guide", {})
    titles = {k: v.get("title", k) for k, v in (body.get("form_schema") or {}).get("properties", {}).items()}
    return body.get("materials", []), titles


def case_context(page: Page, user: dict[str, Any], case_no: str) -> dict[str, Any]:
    """Everything the case page shows: the case, its files, the item's materials, approval, timeline, tasks."""
    path = f"/api/v1/cases/{path_id(case_no)}"
    case = page.get("staff", path)
    day = today()
    case["deadline"] = intake_deadline(case, day)
    files = page.get("staff", f"{path}/materials")
    for entry in files:
        entry["file"]["size"] = int(entry["file"].get("size") or 0)
    materials, titles = _guide_materials(page, case)
    given = {m["material_name"] for m in case.get("materials", []) if m.get("file_ids")}
    missing = [
        m["name"]
        for m in materials
        if m.get("required") and m.get("source") != "MATERIAL_SOURCE_GOVERNMENT" and m["name"] not in given
    ]
    approval = optional(page, f"{path}/approval")
    if approval:
        facts = approval.get("deadline", {})
        approval["deadline_state"] = deadline_of(facts.get("case_deadline"), day, "case")
    timeline = optional(page, f"{path}/timeline")
    tasks = open_tasks(page, user, case_no) if approval else []
    return {
        "case": case,
        "files": files,
        "materials": materials,
        "missing": missing,
        "tolerable": [m["name"] for m in materials if m.get("may_be_missing") and m["name"] in missing],
        "titles": titles,
        "approval": approval,
        "timeline": timeline,
        "tasks": tasks,
        "supply_state": deadline_of(case.get("supply_deadline"), day, "supply"),
        "can_act": has_role(user, CLERK) and short_code("case_status", case.get("status")) == "SUBMITTED",
    }


async def case_again(
    page: Page, user: dict[str, Any], case_no: str, open_form: str, errors: dict, values: dict, status: int
) -> Response:
    """The case page again with one form open, its messages and what was typed."""
    context = await run_in_threadpool(case_context, page, user, case_no)
    return page.render(
        "workbench/case.html",
        status,
        nav_current="queue",
        open_form=open_form,
        errors=errors,
        values=values,
        **context,
    )


# -- form checks


def _accept_body(page: Page, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The accept request from the form, or field errors."""
    errors: dict[str, str] = {}
    mode = str(form.get("mode") or "NORMAL")
    if mode not in ACCEPT_MODES:
        errors["mode"] = page.t("workbench.accept.mode_invalid")
    body: dict[str, Any] = {
        "mode": f"ACCEPTANCE_MODE_{mode}",
        "opinion": str(form.get("accept_opinion") or "").strip(),
    }
    signed = form.get("promise_signed") == "yes"
    if mode in ("TOLERANT", "COMMITMENT"):
        body["promise_signed"] = signed
        if not signed:
            errors["promise_signed"] = page.t(f"workbench.accept.promise_required_{mode.lower()}")
    if mode == "TOLERANT":
        supply_by = str(form.get("supply_by") or "").strip()
        try:
            day = date.fromisoformat(supply_by)
        except ValueError:
            errors["supply_by"] = page.t("workbench.accept.supply_by_required")
        else:
            calendar, now = national_calendar(), today()
            if day <= now or not calendar.is_workday(day):
                errors["supply_by"] = page.t("workbench.accept.supply_by_workday")
            else:
                start, end = (datetime.combine(d, NOON, tzinfo=calendar.tz) for d in (now, day))
                body["supply_workdays"] = calendar.workdays_between(start, end)
    return body, errors


def _reject_body(page: Page, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The reject request: a reason of two characters at least."""
    reason = str(form.get("reason") or "").strip()
    errors = {} if len(reason) >= 2 else {"reason": page.t("workbench.reject.reason_required")}
    return {"reason": reason}, errors


def _correction_body(page: Page, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The one-time notice from the form: each chosen material with what to correct, plus another item."""
    notice, errors = [], {}
    for index in form["deficient"]:
        subject = str(form.get(f"subject_{index}") or "").strip()
        requirement = str(form.get(f"requirement_{index}") or "").strip()
        if not subject:
            continue
        if not requirement:
            errors[f"requirement_{index}"] = page.t("workbench.correction.requirement_required", name=subject)
        notice.append({"subject": subject, "requirement": requirement})
    extra, extra_req = (
        str(form.get("extra_subject") or "").strip(),
        str(form.get("extra_requirement") or "").strip(),
    )
    if extra or extra_req:
        if not extra:
            errors["extra_subject"] = page.t("workbench.correction.extra_subject_required")
        if not extra_req:
            errors["extra_requirement"] = page.t(
                "workbench.correction.requirement_required", name=extra or ""
            )
        notice.append({"subject": extra, "requirement": extra_req})
    if not notice and not errors:
        errors["deficient"] = page.t("workbench.correction.none_chosen")
    return {"deficiencies": notice}, errors


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    """The values of an intake form as typed (the chosen deficiencies as a list)."""
    chosen = form.get("deficient") or []
    return {**form, "deficient": [chosen] if isinstance(chosen, str) else list(chosen)}


def intake_action(action: str, check: Check) -> Callable[..., Awaitable[Response]]:
    """The POST handler of one intake action: the form checked here, then sent to the gateway."""
    endpoint, names = INTAKE_ACTIONS[action]

    async def act(page: CurrentPage, case_no: str) -> Response:
        user = staff_user(page)
        form = _typed(await page.form())
        body, errors = check(page, form)
        if errors:
            return await case_again(page, user, case_no, action, errors, form, 422)
        try:
            await run_in_threadpool(page.post, "staff", f"/api/v1/cases/{path_id(case_no)}/{endpoint}", body)
        except GatewayError as error:
            return await case_again(
                page, user, case_no, action, refusal_errors(page, error, names), form, error.status
            )
        page.flash(page.t(f"workbench.{action}.done", case_no=case_no))
        return page.redirect(f"/workbench/cases/{path_id(case_no)}")

    return act


def build_intake_router() -> APIRouter:
    """/queue, /cases/{case_no}, its actions and its materials."""
    router = APIRouter()

    @router.get("/queue")
    def queue(page: CurrentPage, status: str = "submitted", offset: int = 0, dept: str = "") -> Response:
        user = staff_user(page, QUEUE_ROLES)
        supervisor = has_role(user, {"supervisor"})
        status = status if status in QUEUE_STATUSES or status == "all" else "submitted"
        dept = dept.strip().upper()[:18] if supervisor else ""
        offset = max(0, min(offset, 100000))
        cases = queue_cases(page, user, "" if status == "all" else status, offset, dept)
        return page.render(
            "workbench/queue.html",
            nav_current="queue",
            cases=cases,
            status=status,
            statuses=("all", *QUEUE_STATUSES),
            offset=offset,
            page_size=PAGE_SIZE,
            dept=dept,
            supervisor=supervisor,
            red_yellow=urgent(cases),
        )

    @router.get("/cases/{case_no}")
    def case_detail(page: CurrentPage, case_no: str) -> Response:
        user = staff_user(page)
        try:
            context = case_context(page, user, case_no)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            return page.failure(error)
        case = re.escape(case_no)
        forms = rf"/workbench/(?:cases/{case}/({'|'.join(INTAKE_ACTIONS)})|tasks/{case}/([^/]+)/complete)"
        draft = page.take_draft("staff", forms)
        if draft is None:
            return page.render("workbench/case.html", nav_current="queue", **context)
        action, task_id = draft.match.groups()
        if task_id:
            open_form, values = f"task-{task_id}", completion_values(draft.form, task_id)[1]
        else:
            open_form, values = action, _typed(draft.form)
        return page.render(
            "workbench/case.html", nav_current="queue", open_form=open_form, values=values, **context
        )

    for action, check in (
        ("accept", _accept_body),
        ("reject", _reject_body),
        ("correction", _correction_body),
    ):
        router.add_api_route(f"/cases/{{case_no}}/{action}", intake_action(action, check), methods=["POST"])

    @router.get("/cases/{case_no}/materials/{material_id}")
    def material(page: CurrentPage, case_no: str, material_id: str, download: int = 0) -> Response:
        staff_user(page)
        path = f"/api/v1/cases/{path_id(case_no)}/materials/{path_id(material_id)}/content"
        return proxied_file(page, "staff", path, attachment=bool(download))

    return router
