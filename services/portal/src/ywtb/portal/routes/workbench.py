"""The staff workbench (工作台): dashboard, intake queue, case detail with its actions, my approval tasks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ywtb.common.calendar import local_date
from ywtb.portal.deadline import (
    NOON,
    DeadlineState,
    deadline_state,
    intake_deadline,
    national_calendar,
    parse_instant,
)
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import Labels, short_code
from ywtb.portal.web import CurrentPage, LoginRequired, Page

WORKBENCH_ROLES = frozenset({"window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor"})
QUEUE_ROLES = frozenset({"window_clerk", "approver", "supervisor"})
ADMIN_ROLES = frozenset({"dept_admin", "tenant_admin"})
CLERK = "window_clerk"
QUEUE_STATUSES = ("submitted", "correction_requested", "accepted", "rejected")
ACCEPT_MODES = ("NORMAL", "TOLERANT", "COMMITMENT")
PAGE_SIZE = 50
SAFE_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")
TIMELINE_FIELDS = {"opinion": "opinion", "decision": "decision"}
ACCEPT_FIELDS = {"supply_workdays": "supply_by", "promise_signed": "promise_signed", "mode": "mode"}
ACCEPT_FIELDS |= {"opinion": "accept_opinion"}
DOWNLOAD_HEADERS = ("content-length", "x-content-type-options", "etag")


def _id(value: str) -> str:
    """A case number, task or file id as a path segment (anything else is not found)."""
    if not SAFE_ID.match(value) or value.strip(".") == "":
        raise HTTPException(404)
    return quote(value, safe="")


def _today() -> date:
    return local_date(datetime.now().astimezone())


def local_time(value: str | None) -> str:
    """An RFC 3339 instant from the gateway as Beijing time, "2026-10-08 09:30"."""
    if not value:
        return ""
    try:
        moment = parse_instant(value)
    except ValueError:
        return value
    return moment.astimezone(national_calendar().tz).strftime("%Y-%m-%d %H:%M")


def _state(value: str | None, today: date, kind: str) -> DeadlineState | None:
    """The deadline state of an ISO date or instant (None when there is no deadline)."""
    if not value:
        return None
    deadline = parse_instant(value) if "T" in value else date.fromisoformat(value)
    return replace(deadline_state(deadline, today), kind=kind)


def _optional(page: Page, path: str, **params: Any) -> Any:
    """A staff read that may be missing (404, or not this user's to see): None then."""
    try:
        return page.get("staff", path, **params)
    except GatewayError as error:
        if error.status in (403, 404):
            return None
        raise


def _staff(page: Page) -> dict[str, Any]:
    user = page.require("staff", roles=WORKBENCH_ROLES)
    page.context.update(
        labels=Labels(page.lang),
        when=local_time,
        is_admin=bool(ADMIN_ROLES & _roles(user)),
        has_queue=bool(QUEUE_ROLES & _roles(user)),
    )
    return user


def _roles(user: dict[str, Any]) -> set[str]:
    return set(user.get("roles", []))


# -- reads


def _queue(page: Page, user: dict[str, Any], status: str, offset: int = 0, dept: str = "") -> list[dict]:
    cases = page.get(
        "staff",
        "/api/v1/cases",
        tenant=user["tenant"],
        status=status,
        dept=dept,
        page_size=PAGE_SIZE,
        offset=offset,
    )
    today = _today()
    for case in cases:
        case["deadline"] = intake_deadline(case, today)
    return cases


def _tasks(page: Page, user: dict[str, Any], case_no: str = "") -> list[dict]:
    tasks = page.get("staff", "/api/v1/tasks", case_no=case_no)
    today = _today()
    for task in tasks:
        task["deadline"] = _state(task.get("step_deadline"), today, "step")
        task["mine"] = task.get("claimed_by") == user["subject"]
    return tasks


def _item_names(page: Page, user: dict[str, Any]) -> dict[str, dict]:
    """Accepted cases of the user's queue by number (item and applicant for the task list); best effort."""
    if not QUEUE_ROLES & _roles(user):
        return {}
    try:
        cases = page.get("staff", "/api/v1/cases", tenant=user["tenant"], status="accepted", page_size=200)
    except GatewayError:
        return {}
    return {case["case_no"]: case for case in cases}


def _urgent(entries: list[dict]) -> tuple[int, int]:
    """(red, yellow) among entries with a "deadline" state."""
    colours = [e["deadline"].colour for e in entries if e.get("deadline")]
    return colours.count("red"), colours.count("yellow")


def _guide_materials(page: Page, case: dict[str, Any]) -> tuple[list[dict], dict[str, str]]:
    """The materials of the case's item (or bundle) and the titles of its form fields; empty when unknown."""
    try:
        if case.get("bundle_code"):
            bundle = page.get(None, f"/api/v1/catalog/bundles/{_id(case['bundle_code'])}")
            return [m["material"] for m in bundle.get("materials", [])], {}
        guide = page.get(
            None, f"/api/v1/catalog/items/{_id(case['item_id'])}/guide", version=case["item_version"]
        )
    except (GatewayError, HTTPException):
        return [], {}
    body = guide.get("guide", {})
    titles = {k: v.get("title", k) for k, v in (body.get("form_schema") or {}).get("properties", {}).items()}
    return body.get("materials", []), titles


def _case_context(page: Page, user: dict[str, Any], case_no: str) -> dict[str, Any]:
    """Everything the case page shows: the case, its files, the item's materials, approval, timeline, tasks."""
    path = f"/api/v1/cases/{_id(case_no)}"
    case = page.get("staff", path)
    today = _today()
    case["deadline"] = intake_deadline(case, today)
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
    approval = _optional(page, f"{path}/approval")
    if approval:
        facts = approval.get("deadline", {})
        approval["deadline_state"] = _state(facts.get("case_deadline"), today, "case")
    timeline = _optional(page, f"{path}/timeline")
    tasks = _tasks(page, user, case_no) if approval else []
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
        "supply_state": _state(case.get("supply_deadline"), today, "supply"),
        "can_act": CLERK in _roles(user) and short_code("case_status", case.get("status")) == "SUBMITTED",
    }


# -- form checks


def _accept_body(page: Page, form: dict[str, Any], today: date) -> tuple[dict[str, Any], dict[str, str]]:
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
            calendar = national_calendar()
            if day <= today or not calendar.is_workday(day):
                errors["supply_by"] = page.t("workbench.accept.supply_by_workday")
            else:
                start, end = (datetime.combine(d, NOON, tzinfo=calendar.tz) for d in (today, day))
                body["supply_workdays"] = calendar.workdays_between(start, end)
    return body, errors


def _deficiencies(page: Page, form: dict[str, Any]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The one-time notice from the form: each chosen material with what to correct, plus another item."""
    chosen = form.get("deficient") or []
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    notice, errors = [], {}
    for index in chosen:
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
    return notice, errors


def _complete_body(page: Page, form: dict[str, Any], task_id: str) -> tuple[dict[str, str], dict[str, str]]:
    opinion = str(form.get("opinion") or "").strip()
    decision = str(form.get("decision") or "")
    errors = {}
    if form.get("decision_required") == "yes" and decision not in ("approve", "deny"):
        errors[f"decision-{task_id}"] = page.t("workbench.task.decision_required")
    if not opinion:
        key = "workbench.task.reason_required" if decision == "deny" else "workbench.task.opinion_required"
        errors[f"opinion-{task_id}"] = page.t(key)
    elif len(opinion) > 2000:
        errors[f"opinion-{task_id}"] = page.t("workbench.task.opinion_too_long")
    return {"opinion": opinion, "decision": decision if decision in ("approve", "deny") else ""}, errors


def _mapped(error: GatewayError, names: dict[str, str], fallback: str) -> dict[str, str]:
    """The gateway's field messages under the form's field names; its message on `fallback` otherwise."""
    fields = {names.get(k, k): v for k, v in error.field_errors().items()}
    return fields or {fallback: error.message}


def build_workbench_router() -> APIRouter:
    """The workbench pages under /workbench."""
    router = APIRouter()

    @router.get("/")
    def dashboard(page: CurrentPage) -> Response:
        user = _staff(page)
        queue, corrections = [], []
        if QUEUE_ROLES & _roles(user):
            queue = _queue(page, user, "submitted")
            corrections = _queue(page, user, "correction_requested")
        tasks = _tasks(page, user)
        urgent = sorted(
            [("case", c) for c in queue if c["deadline"] and c["deadline"].colour in ("red", "yellow")]
            + [("task", t) for t in tasks if t["deadline"] and t["deadline"].colour in ("red", "yellow")],
            key=lambda entry: entry[1]["deadline"].remaining or 0,
        )
        return page.render(
            "workbench/dashboard.html",
            nav_current="home",
            queue=queue,
            queue_urgent=_urgent(queue),
            corrections=corrections,
            tasks=tasks,
            mine=[t for t in tasks if t["mine"]],
            tasks_urgent=_urgent(tasks),
            urgent=urgent[:8],
        )

    @router.get("/queue")
    def queue(page: CurrentPage, status: str = "submitted", offset: int = 0, dept: str = "") -> Response:
        user = page.require("staff", roles=QUEUE_ROLES)
        _staff(page)
        status = status if status in QUEUE_STATUSES or status == "all" else "submitted"
        dept = dept.strip().upper()[:18] if "supervisor" in _roles(user) else ""
        offset = max(0, min(offset, 100000))
        cases = _queue(page, user, "" if status == "all" else status, offset, dept)
        return page.render(
            "workbench/queue.html",
            nav_current="queue",
            cases=cases,
            status=status,
            statuses=("all", *QUEUE_STATUSES),
            offset=offset,
            page_size=PAGE_SIZE,
            dept=dept,
            supervisor="supervisor" in _roles(user),
            red_yellow=_urgent(cases),
        )

    @router.get("/tasks")
    def tasks(page: CurrentPage) -> Response:
        user = _staff(page)
        return _tasks_page(page, user)

    def _tasks_page(page: Page, user: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
        tasks = _tasks(page, user)
        return page.render(
            "workbench/tasks.html",
            status_code,
            nav_current="tasks",
            tasks=tasks,
            cases=_item_names(page, user),
            urgent=_urgent(tasks),
            **extra,
        )

    @router.get("/cases/{case_no}")
    def case_detail(page: CurrentPage, case_no: str) -> Response:
        user = _staff(page)
        try:
            context = _case_context(page, user, case_no)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            return page.error(error.status, page.message(error), error.request_id)
        return page.render("workbench/case.html", nav_current="queue", **context)

    async def _case_error(
        page: Page,
        user: dict[str, Any],
        case_no: str,
        form_name: str,
        errors: dict[str, str],
        values: dict,
        status: int,
    ) -> Response:
        context = await run_in_threadpool(_case_context, page, user, case_no)
        return page.render(
            "workbench/case.html",
            status,
            nav_current="queue",
            open_form=form_name,
            errors=errors,
            values=values,
            **context,
        )

    @router.post("/cases/{case_no}/accept")
    async def accept(page: CurrentPage, case_no: str) -> Response:
        user = _staff(page)
        form = await page.form()
        body, errors = _accept_body(page, form, _today())
        if errors:
            return await _case_error(page, user, case_no, "accept", errors, form, 422)
        try:
            await run_in_threadpool(page.post, "staff", f"/api/v1/cases/{_id(case_no)}/accept", body)
        except GatewayError as error:
            fields = _mapped(error, ACCEPT_FIELDS, "_form")
            return await _case_error(page, user, case_no, "accept", fields, form, error.status)
        page.flash(page.t("workbench.accept.done", case_no=case_no))
        return page.redirect(f"/workbench/cases/{_id(case_no)}")

    @router.post("/cases/{case_no}/reject")
    async def reject(page: CurrentPage, case_no: str) -> Response:
        user = _staff(page)
        form = await page.form()
        reason = str(form.get("reason") or "").strip()
        if len(reason) < 2:
            errors = {"reason": page.t("workbench.reject.reason_required")}
            return await _case_error(page, user, case_no, "reject", errors, form, 422)
        try:
            await run_in_threadpool(
                page.post, "staff", f"/api/v1/cases/{_id(case_no)}/reject", {"reason": reason}
            )
        except GatewayError as error:
            return await _case_error(
                page, user, case_no, "reject", _mapped(error, {}, "_form"), form, error.status
            )
        page.flash(page.t("workbench.reject.done", case_no=case_no))
        return page.redirect(f"/workbench/cases/{_id(case_no)}")

    @router.post("/cases/{case_no}/correction")
    async def correction(page: CurrentPage, case_no: str) -> Response:
        user = _staff(page)
        form = await page.form()
        notice, errors = _deficiencies(page, form)
        chosen = form.get("deficient") or []
        form["deficient"] = [chosen] if isinstance(chosen, str) else list(chosen)
        if errors:
            return await _case_error(page, user, case_no, "correction", errors, form, 422)
        path = f"/api/v1/cases/{_id(case_no)}/correction-request"
        try:
            await run_in_threadpool(page.post, "staff", path, {"deficiencies": notice})
        except GatewayError as error:
            fields = _mapped(error, {"deficiencies": "deficient"}, "_form")
            return await _case_error(page, user, case_no, "correction", fields, form, error.status)
        page.flash(page.t("workbench.correction.done", case_no=case_no))
        return page.redirect(f"/workbench/cases/{_id(case_no)}")

    @router.get("/cases/{case_no}/materials/{material_id}")
    def material(page: CurrentPage, case_no: str, material_id: str, download: int = 0) -> Response:
        _staff(page)
        path = f"/api/v1/cases/{_id(case_no)}/materials/{_id(material_id)}/content"
        stack = ExitStack()
        try:
            upstream = stack.enter_context(page.gateway.download(path, page.token("staff")))
        except GatewayError as error:
            stack.close()
            if error.status == 401:
                page.sign_out("staff")
                raise LoginRequired("staff", page.current_url(), "auth.expired") from error
            raise

        def body() -> Iterator[bytes]:
            with stack:
                yield from upstream.iter_raw()

        headers = {name: upstream.headers[name] for name in DOWNLOAD_HEADERS if name in upstream.headers}
        disposition = upstream.headers.get("content-disposition", "inline")
        if download:
            disposition = "attachment" + disposition.removeprefix("inline")
        headers["Content-Disposition"] = disposition
        headers["Cache-Control"] = "private, no-store"
        return StreamingResponse(
            body(),
            media_type=upstream.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )

    @router.post("/tasks/{case_no}/{task_id}/claim")
    async def claim(page: CurrentPage, case_no: str, task_id: str) -> Response:
        _staff(page)
        form = await page.form()
        back = _back(form, case_no)
        path = f"/api/v1/cases/{_id(case_no)}/tasks/{_id(task_id)}/claim"
        try:
            task = await run_in_threadpool(page.post, "staff", path)
        except GatewayError as error:
            page.flash(page.message(error), "error")
            return page.redirect(back)
        page.flash(page.t("workbench.task.claimed", title=task.get("title", ""), case_no=case_no))
        return page.redirect(back)

    @router.post("/tasks/{case_no}/{task_id}/complete")
    async def complete(page: CurrentPage, case_no: str, task_id: str) -> Response:
        user = _staff(page)
        form = await page.form()
        body, errors = _complete_body(page, form, task_id)
        path = f"/api/v1/cases/{_id(case_no)}/tasks/{_id(task_id)}/complete"
        status = 422
        if not errors:
            try:
                await run_in_threadpool(page.post, "staff", path, body)
            except GatewayError as error:
                errors = {
                    f"{TIMELINE_FIELDS.get(k, k)}-{task_id}": v for k, v in error.field_errors().items()
                }
                errors = errors or {"_form": page.message(error)}
                status = error.status
            else:
                page.flash(page.t("workbench.task.completed", case_no=case_no))
                return page.redirect(_back(form, case_no))
        values = {f"opinion-{task_id}": body["opinion"], f"decision-{task_id}": body["decision"]}
        if form.get("back") == "case":
            return await _case_error(page, user, case_no, f"task-{task_id}", errors, values, status)
        return await run_in_threadpool(
            _tasks_page, page, user, status, errors=errors, values=values, open_form=f"task-{task_id}"
        )

    return router


def _back(form: dict[str, Any], case_no: str) -> str:
    """Where a task action returns: the case page or the task list."""
    return f"/workbench/cases/{_id(case_no)}" if form.get("back") == "case" else "/workbench/tasks"
