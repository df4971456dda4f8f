"""What every admin page needs: the signed-in admin, the tenant in view, the error page, dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi.responses import HTMLResponse

from ywtb.common.codes import is_ancestor
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import Labels
from ywtb.portal.web import Forbidden, Page

ADMIN_ROLES = frozenset({"tenant_admin", "dept_admin", "platform_admin"})
TENANT_ADMIN_ROLES = frozenset({"tenant_admin", "platform_admin"})
STAFF_ROLE_NAMES = ("window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor")
# The roles a department admin may grant (identity's rule; the service enforces it).
DEPT_ADMIN_GRANTS = ("window_clerk", "approver")
CHINA_TIME = timezone(timedelta(hours=8))


def admin_user(page: Page, roles: frozenset[str] = ADMIN_ROLES) -> dict[str, Any]:
    """The signed-in staff user when they hold one of `roles` (login first, else a 403 page)."""
    user = page.require("staff")
    if not set(user.get("roles", [])) & roles:
        raise Forbidden("admin.forbidden" if roles == ADMIN_ROLES else "admin.forbidden_role")
    return user


def is_tenant_admin(user: dict[str, Any]) -> bool:
    """Tenant or platform admin (manages the whole tenant), not only a department."""
    return bool(set(user.get("roles", [])) & TENANT_ADMIN_ROLES)


def governs(user: dict[str, Any], tenant: str) -> bool:
    """The user's tenant is `tenant` or one of its ancestors (or the user is a platform admin)."""
    if "platform_admin" in user.get("roles", []):
        return True
    own = user.get("tenant", "")
    return bool(own) and (own == tenant or is_ancestor(own, tenant))


def tenant_in_view(user: dict[str, Any], requested: str | None) -> str:
    """The tenant a list shows: the requested one when the user governs it, else the user's own."""
    return requested if requested and governs(user, requested) else user.get("tenant", "")


def tenant_choices(page: Page, user: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, name) of the user's tenant and its sub-tenants, for the tenant picker of tenant admins."""
    if not is_tenant_admin(user):
        return []
    own = user["tenant"]
    tenant = page.get("staff", f"/api/v1/tenants/{own}")
    children = page.get("staff", "/api/v1/tenants", parent=own)
    return [(own, tenant["name"]), *((c["code"], c["name"]) for c in children)]


def failure(page: Page, error: GatewayError) -> HTMLResponse:
    """The gateway's refusal as an admin page (403, 404, ...) in the page's language."""
    return page.error(error.status, page.message(error), error.request_id)


def staff_names(page: Page, subjects: list[str]) -> dict[str, str]:
    """Names of the staff behind subject ids (who edited, who published); unknown ones are left out."""
    names = {}
    for subject in {s for s in subjects if s}:
        try:
            names[subject] = page.get("staff", f"/api/v1/staff/{subject}")["name"]
        except GatewayError:
            continue  # the seed, or staff the user may not read: the id is shown
    return names


def local_time(value: str | None) -> str:
    """An RFC 3339 timestamp of the gateway in China time, to the minute ("" when empty)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def common(page: Page, user: dict[str, Any]) -> dict[str, Any]:
    """Context every admin template uses."""
    return {
        "labels": Labels(page.lang),
        "local_time": local_time,
        "is_tenant_admin": is_tenant_admin(user),
        "me": user,
    }
