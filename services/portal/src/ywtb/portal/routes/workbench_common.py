"""What the workbench pages share: the signed-in staff member, today, deadlines, the queue and task reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc_now
from ywtb.portal.deadline import DeadlineState, deadline_state, intake_deadline, parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import Labels
from ywtb.portal.roles import (
    APPEAL_ROLES,
    DESK_ROLES,
    EVALUATION_ROLES,
    INQUIRY_ROLES,
    PAYMENT_ROLES,
    QUEUE_ROLES,
    RECONCILE_ROLES,
    REGISTER_ROLES,
    VISIT_ROLES,
    WORKBENCH_ADMIN_LINK_ROLES,
    WORKBENCH_ROLES,
    has_role,
)
from ywtb.portal.routes.shared import local_time
from ywtb.portal.web import Page

PAGE_SIZE = 50


def staff_user(page: Page, roles: frozenset[str] = WORKBENCH_ROLES, forbidden: str = "") -> dict[str, Any]:
    """The signed-in staff member holding one of `roles` (else the `forbidden` message key); the workbench
    frame's context is set."""
    user = page.require("staff", roles=roles, forbidden=forbidden)
    page.context.update(
        labels=Labels(page.lang),
        when=local_time,
        is_admin=has_role(user, WORKBENCH_ADMIN_LINK_ROLES),
        has_queue=has_role(user, QUEUE_ROLES),
        has_desk=has_role(user, DESK_ROLES),
        has_register=has_role(user, REGISTER_ROLES),
        has_payments=has_role(user, PAYMENT_ROLES),
        has_reconciliation=has_role(user, RECONCILE_ROLES),
        has_ratings=has_role(user, EVALUATION_ROLES),
        has_appeals=has_role(user, APPEAL_ROLES),
        has_inquiries=has_role(user, INQUIRY_ROLES),
        has_visits=has_role(user, VISIT_ROLES),
    )
    return user


def today() -> date:
    """Today in China."""
    return local_date(utc_now())


def deadline_of(value: str | None, day: date, kind: str) -> DeadlineState | None:
    """The deadline state of an ISO date or instant on `day` (None when there is no deadline)."""
    if not value:
        return None
    deadline = parse_instant(value) if "T" in value else date.fromisoformat(value)
    return replace(deadline_state(deadline, day), kind=kind)


def optional(page: Page, path: str, **params: Any) -> Any:
    """A staff read that may be missing (404, or not this user's to see): None then."""
    try:
        return page.get("staff", path, **params)
    except GatewayError as error:
        if error.status in (403, 404):
            return None
        raise


def queue_cases(page: Page, user: dict[str, Any], status: str, offset: int = 0, dept: str = "") -> list[dict]:
    """A page of the tenant's cases in `status`, each with its intake deadline."""
    cases = page.get(
        "staff",
        "/api/v1/cases",
        tenant=user["tenant"],
        status=status,
        dept=dept,
        page_size=PAGE_SIZE,
        offset=offset,
    )
    day = today()
    for case in cases:
        case["deadline"] = intake_deadline(case, day)
    return cases


def open_tasks(page: Page, user: dict[str, Any], case_no: str = "") -> list[dict]:
    """The approval tasks the user may do (of one case), with step deadline and whether they hold it."""
    tasks = page.get("staff", "/api/v1/tasks", case_no=case_no)
    day = today()
    for task in tasks:
        task["deadline"] = deadline_of(task.get("step_deadline"), day, "step")
        task["mine"] = task.get("claimed_by") == user["subject"]
    return tasks


def urgent(entries: list[dict]) -> tuple[int, int]:
    """(red, yellow) among entries with a "deadline" state."""
    colours = [e["deadline"].colour for e in entries if e.get("deadline")]
    return colours.count("red"), colours.count("yellow")


def completion_values(form: dict[str, Any], task_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """(CompleteTask body, values to re-fill the task's form) of a posted completion."""
    opinion = str(form.get("opinion") or "").strip()
    decision = str(form.get("decision") or "")
    body = {"opinion": opinion, "decision": decision if decision in ("approve", "deny") else ""}
    return body, {f"opinion-{task_id}": body["opinion"], f"decision-{task_id}": body["decision"]}


def department_names(page: Page, user: dict[str, Any]) -> dict[str, str]:
    """Credit code → name of the departments of the user's tenant (none when they cannot be read)."""
    departments = optional(page, f"/api/v1/tenants/{user.get('tenant', '')}/departments") or []
    return {d["credit_code"]: d.get("short_name") or d["name"] for d in departments}
