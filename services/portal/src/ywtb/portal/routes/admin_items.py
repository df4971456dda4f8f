"""实施清单: the tenant's or department's items, claiming basic items, an item's page and its review."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ywtb.common import tenancy
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import CODES, short_code
from ywtb.portal.roles import TENANT_ADMIN_ROLES, has_role
from ywtb.portal.routes.admin_common import (
    admin_user,
    common,
    governs,
    is_tenant_admin,
    staff_names,
    tenant_choices,
    tenant_in_view,
)
from ywtb.portal.web import CurrentPage, Page

EDITABLE = frozenset({"DRAFT", "RETURNED", "PUBLISHED", "WITHDRAWN"})  # the catalogue's rule
# reason-taking actions: form field of the reason
REASON_FIELDS = {"return": "return_reason", "withdraw": "withdraw_reason"}
MIN_REASON = 2


def permissions(user: dict[str, Any], item: dict[str, Any]) -> dict[str, bool]:
    """What the user may do with the item now (the catalogue service decides again)."""
    status = short_code("item_status", item["status"])
    editor = has_role(user, {tenancy.PLATFORM_ADMIN}) or (
        has_role(user, {tenancy.DEPT_ADMIN})
        and user.get("dept") == item["dept"]
        and user.get("tenant") == item["tenant"]
    )
    reviewer = has_role(user, TENANT_ADMIN_ROLES) and governs(user, item["tenant"])
    return {
        "edit": editor and status in EDITABLE,
        "submit": editor and status in ("DRAFT", "RETURNED"),
        "approve": reviewer and status == "SUBMITTED",
        "return": reviewer and status in ("SUBMITTED", "APPROVED"),
        "publish": reviewer and status == "APPROVED",
        "withdraw": reviewer and bool(item.get("published_version")),
    }


def published_versions(page: Page, item_id: str) -> list[dict[str, Any]]:
    """The item's published versions, newest first (none: GUIDE_NOT_PUBLISHED)."""
    try:
        versions = page.get("staff", f"/api/v1/catalog/items/{item_id}/versions")
    except GatewayError as error:
        if error.code == "GUIDE_NOT_PUBLISHED":
            return []
        raise
    return sorted(versions, key=lambda v: -v["version"])


def item_page(
    page: Page,
    user: dict[str, Any],
    item_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The item's page: facts, actions the user may take, the working draft, the published versions."""
    item = page.get("staff", f"/api/v1/catalog/items/{item_id}")
    versions = published_versions(page, item_id) if item["latest_version"] else []
    names = staff_names(page, [item["updated_by"], *(v["published_by"] for v in versions)])
    return page.render(
        "admin/item.html",
        status,
        item=item,
        guide=item["guide"],
        versions=versions,
        can=permissions(user, item),
        names=names,
        values=values or {},
        errors=errors or {},
        **common(page, user),
    )


def build_admin_items_router() -> APIRouter:
    """/items, /basic-items, /items/{id} and the review actions."""
    router = APIRouter()

    @router.get("/items", response_class=HTMLResponse)
    def items(
        page: CurrentPage, tenant: str = "", dept: str = "", status: str = "", q: str = ""
    ) -> HTMLResponse:
        user = admin_user(page)
        code = tenant_in_view(user, tenant)
        dept = dept if is_tenant_admin(user) else user.get("dept", "")
        status = status if status.upper() in CODES["item_status"] else ""
        depts = page.get("staff", f"/api/v1/tenants/{code}/departments")
        rows = page.get("staff", "/api/v1/catalog/items", tenant=code, dept=dept, status=status.lower())
        tenants = tenant_choices(page, user)
        needle = q.strip().lower()
        if needle:
            rows = [
                r
                for r in rows
                if needle in r["guide"]["name"].lower()
                or needle in r["basic_code"]
                or needle in r["keywords"]
            ]
        return page.render(
            "admin/items.html",
            items=rows,
            depts=depts,
            tenant=code,
            tenants=tenants,
            values={"tenant": code, "dept": dept, "status": status.lower(), "q": q},
            **common(page, user),
        )

    @router.get("/basic-items", response_class=HTMLResponse)
    def basic_items(page: CurrentPage, q: str = "") -> HTMLResponse:
        user = admin_user(page)
        dept = user.get("dept", "")
        may_claim = has_role(user, {tenancy.DEPT_ADMIN, tenancy.PLATFORM_ADMIN})
        rows = page.get(None, "/api/v1/catalog/basic-items", claimable_only="true")
        claimed = {
            i["basic_code"]: i["id"]
            for i in (
                page.get("staff", "/api/v1/catalog/items", tenant=user["tenant"], dept=dept)
                if may_claim
                else []
            )
        }
        needle = q.strip().lower()
        if needle:
            rows = [r for r in rows if needle in r["name"].lower() or needle in r["basic_code"]]
        return page.render(
            "admin/basic_items.html",
            basic_items=rows,
            claimed=claimed,
            may_claim=may_claim,
            values={"q": q},
            **common(page, user),
        )

    @router.post("/basic-items/{basic_code}/claim")
    async def claim(page: CurrentPage, basic_code: str) -> Response:
        user = admin_user(page)
        form = await page.form()
        back = "/admin/basic-items?" + urlencode({"q": form.get("q") or ""})

        def claim_it() -> dict[str, Any]:
            depts = page.get("staff", f"/api/v1/tenants/{user['tenant']}/departments")
            name = next((d["name"] for d in depts if d["credit_code"] == user.get("dept")), "")
            body = {
                "tenant": user["tenant"],
                "dept": user.get("dept", ""),
                "dept_name": name,
                "basic_code": basic_code,
            }
            return page.post("staff", "/api/v1/catalog/items", body)

        try:
            item = await run_in_threadpool(claim_it)
        except GatewayError as error:
            page.flash(page.message(error), "error")
            return page.redirect(back)
        page.flash(page.t("admin.basic.claimed", name=item["guide"]["name"]))
        return page.redirect(f"/admin/items/{item['id']}/edit")

    @router.get("/items/{item_id}", response_class=HTMLResponse)
    def item(page: CurrentPage, item_id: str) -> HTMLResponse:
        user = admin_user(page)
        actions = "|".join(REASON_FIELDS)
        draft = page.take_draft("staff", rf"/admin/items/{re.escape(item_id)}/({actions})")
        values = _reason(draft.form, draft.match.group(1)) if draft else None
        return item_page(page, user, item_id, values)

    @router.get("/items/{item_id}/versions/{version}", response_class=HTMLResponse)
    def version(page: CurrentPage, item_id: str, version: str) -> HTMLResponse:
        user = admin_user(page)
        if not version.isdigit():
            raise HTTPException(404)
        item = page.get("staff", f"/api/v1/catalog/items/{item_id}")
        guide = page.get(None, f"/api/v1/catalog/items/{item_id}/guide", version=version)
        names = staff_names(page, [guide["published_by"]])
        return page.render(
            "admin/version.html", item=item, guide=guide, version=version, names=names, **common(page, user)
        )

    for action in ("approve", "publish", "return", "withdraw"):
        router.add_api_route(f"/items/{{item_id}}/{action}", review_action(action), methods=["POST"])
    return router


def _reason(form: dict[str, Any], action: str) -> dict[str, str]:
    """The reason typed for 退回 or 撤回, under its input's name."""
    field = REASON_FIELDS[action]
    return {field: str(form.get(field) or "").strip()}


def review_action(action: str) -> Callable[..., Awaitable[Response]]:
    """The handler of one review action: 审核通过, 发布, 退回 or 撤回 (the last two with a reason)."""

    async def review(page: CurrentPage, item_id: str) -> Response:
        user = admin_user(page, TENANT_ADMIN_ROLES)
        form = await page.form()
        body: dict[str, str] = {}
        if action in REASON_FIELDS:
            field = REASON_FIELDS[action]
            values = _reason(form, action)
            if len(values[field]) < MIN_REASON:
                errors = {field: page.t(f"admin.item.error.{field}")}
                return await run_in_threadpool(item_page, page, user, item_id, values, errors, 422)
            body = {"reason": values[field]}
        try:
            await run_in_threadpool(page.post, "staff", f"/api/v1/catalog/items/{item_id}/{action}", body)
        except GatewayError as error:
            if action in REASON_FIELDS and "reason" in error.field_errors():
                field = REASON_FIELDS[action]
                errors = {field: error.field_errors()["reason"]}
                values = {field: body["reason"]}
                return await run_in_threadpool(item_page, page, user, item_id, values, errors, error.status)
            page.flash(page.message(error), "error")
            return page.redirect(f"/admin/items/{item_id}")
        page.flash(page.t(f"admin.item.done.{action}"))
        return page.redirect(f"/admin/items/{item_id}")

    return review
