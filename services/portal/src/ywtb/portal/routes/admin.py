"""The admin pages (管理端): overview here; departments and staff, items and guides, 好差评设置 in their modules."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ywtb.portal.labels import short_code
from ywtb.portal.routes.admin_common import admin_user, common, is_tenant_admin
from ywtb.portal.routes.admin_evaluation import build_admin_evaluation_router
from ywtb.portal.routes.admin_guide import build_admin_guide_router
from ywtb.portal.routes.admin_items import build_admin_items_router
from ywtb.portal.routes.admin_org import build_admin_org_router
from ywtb.portal.web import CurrentPage


def build_admin_router() -> APIRouter:
    """The admin pages."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def overview(page: CurrentPage) -> HTMLResponse:
        user = admin_user(page)
        code = user["tenant"]
        dept = "" if is_tenant_admin(user) else user.get("dept", "")
        tenant = page.get("staff", f"/api/v1/tenants/{code}")
        parent = (
            page.get("staff", f"/api/v1/tenants/{tenant['parent_code']}") if tenant["parent_code"] else None
        )
        children = page.get("staff", "/api/v1/tenants", parent=code)
        departments = page.get("staff", f"/api/v1/tenants/{code}/departments")
        staff = page.get("staff", "/api/v1/staff", tenant=code, dept=dept)
        items = page.get("staff", "/api/v1/catalog/items", tenant=code, dept=dept)
        statuses = Counter(short_code("item_status", item["status"]) for item in items)
        my_dept = next((d for d in departments if d["credit_code"] == dept), None)
        return page.render(
            "admin/overview.html",
            tenant=tenant,
            parent=parent,
            children=children,
            departments=departments,
            my_dept=my_dept,
            staff_count=len(staff),
            item_count=len(items),
            statuses=statuses,
            **common(page, user),
        )

    router.include_router(build_admin_org_router())
    router.include_router(build_admin_items_router())
    router.include_router(build_admin_guide_router())
    router.include_router(build_admin_evaluation_router())
    return router
