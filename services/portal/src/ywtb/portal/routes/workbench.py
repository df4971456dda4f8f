"""The staff workbench (工作台) under /workbench: the dashboard here; intake and approval tasks in their modules."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ywtb.portal.roles import QUEUE_ROLES, has_role
from ywtb.portal.routes.workbench_appeals import build_appeals_router
from ywtb.portal.routes.workbench_common import open_tasks, queue_cases, staff_user, urgent
from ywtb.portal.routes.workbench_inquiries import build_inquiries_router
from ywtb.portal.routes.workbench_intake import build_intake_router
from ywtb.portal.routes.workbench_issuances import build_issuances_router
from ywtb.portal.routes.workbench_licences import build_licences_router
from ywtb.portal.routes.workbench_payments import build_payments_router
from ywtb.portal.routes.workbench_ratings import build_ratings_router
from ywtb.portal.routes.workbench_reconciliation import build_reconciliation_router
from ywtb.portal.routes.workbench_tasks import build_tasks_router
from ywtb.portal.routes.workbench_visits import build_visits_router
from ywtb.portal.web import CurrentPage

URGENT = ("red", "yellow")
URGENT_SHOWN = 8


def build_workbench_router() -> APIRouter:
    """The workbench pages, mounted at "/workbench"."""
    router = APIRouter()

    @router.get("/")
    def dashboard(page: CurrentPage) -> Response:
        user = staff_user(page)
        queue, corrections = [], []
        if has_role(user, QUEUE_ROLES):
            queue = queue_cases(page, user, "submitted")
            corrections = queue_cases(page, user, "correction_requested")
        tasks = open_tasks(page, user)
        due = sorted(
            [("case", c) for c in queue if c["deadline"] and c["deadline"].colour in URGENT]
            + [("task", t) for t in tasks if t["deadline"] and t["deadline"].colour in URGENT],
            key=lambda entry: entry[1]["deadline"].remaining or 0,
        )
        return page.render(
            "workbench/dashboard.html",
            nav_current="home",
            queue=queue,
            queue_urgent=urgent(queue),
            corrections=corrections,
            tasks=tasks,
            mine=[t for t in tasks if t["mine"]],
            tasks_urgent=urgent(tasks),
            urgent=due[:URGENT_SHOWN],
        )

    router.include_router(build_intake_router())
    router.include_router(build_tasks_router())
    router.include_router(build_issuances_router())
    router.include_router(build_licences_router())
    router.include_router(build_payments_router())
    router.include_router(build_reconciliation_router())
    router.include_router(build_ratings_router())
    router.include_router(build_appeals_router())
    router.include_router(build_inquiries_router())
    router.include_router(build_visits_router())
    return router
