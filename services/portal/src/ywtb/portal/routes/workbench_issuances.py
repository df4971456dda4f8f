"""出证台 in the workbench: the department's approved cases awaiting their licence, issued with its fields."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import DESK_ROLES
from ywtb.portal.routes.shared import path_id
from ywtb.portal.routes.workbench_common import deadline_of, staff_user, today
from ywtb.portal.web import CurrentPage, Page

ITEM_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")


def _desk(page: Page, status: int = 200, **extra: Any) -> Response:
    day = today()
    entries = [
        {**issuance, "deadline": deadline_of(issuance.get("due_on"), day, "issuance")}
        for issuance in page.get("staff", "/api/v1/licence/issuances")
    ]
    return page.render("workbench/issuances.html", status, nav_current="issuances", entries=entries, **extra)


def build_issuances_router() -> APIRouter:
    """/issuances and POST /issuances/{case_no}/{item_id}."""
    router = APIRouter()

    @router.get("/issuances")
    def issuances(page: CurrentPage) -> Response:
        staff_user(page, DESK_ROLES)
        return _desk(page)

    @router.post("/issuances/{case_no}/{item_id}")
    async def issue(page: CurrentPage, case_no: str, item_id: str) -> Response:
        staff_user(page, DESK_ROLES)
        path_id(case_no)
        path_id(item_id, ITEM_ID)
        form = await page.form()
        values = {k.removeprefix("field."): str(v).strip() for k, v in form.items() if k.startswith("field.")}
        try:
            licence = page.post(
                "staff", f"/api/v1/licence/issuances/{case_no}/{item_id}/licence", {"values": values}
            )
        except GatewayError as error:
            if error.status >= 500:
                raise
            # the licence service names the values as a whole: the message goes to the form's top
            return _desk(page, error.status, errors={"_form": page.message(error)}, values=values)
        page.flash(page.t("workbench.issuances.done", name=licence["type_name"], no=licence["licence_no"]))
        return page.redirect("/workbench/issuances")

    return router
