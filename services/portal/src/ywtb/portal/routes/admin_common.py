"""What every admin page needs: the signed-in admin, the tenant in view, staff names, the template context."""

from __future__ import annotations

from typing import Any

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.portal.gateway import GatewayError
from ywtb.portal.labels import Labels
from ywtb.portal.roles import ADMIN_ROLES, EVALUATION_SETTINGS_ROLES, TENANT_ADMIN_ROLES, has_role
from ywtb.portal.routes.shared import local_time
from ywtb.portal.web import Page


def admin_user(page: Page, roles: frozenset[str] = ADMIN_ROLES) -> dict[str, Any]:
    """The signed-in staff user when they hold one of `roles` (login first, else a 403 page)."""
    forbidden = "admin.forbidden" if roles == ADMIN_ROLES else "admin.forbidden_role"
    return page.require("staff", roles, forbidden)


def is_tenant_admin(user: dict[str, Any]) -> bool:
    """Tenant or platform admin (manages the whole tenant), not only a department."""
    return has_role(user, TENANT_ADMIN_ROLES)


def principal_of(user: dict[str, Any]) -> Principal:
    """The signed-in user (/api/v1/me) as a principal, for ywtb.common.tenancy's scope rules."""
    return Principal(
        subject=user.get("subject", ""),
        tenant=user.get("tenant", ""),
        roles=frozenset(user.get("roles") or ()),
        dept=user.get("dept", ""),
    )


def governs(user: dict[str, Any], tenant: str) -> bool:
    """The user's tenant is `tenant` or one of its ancestors, or the user is not bound to a tenant."""
    principal = principal_of(user)
    return tenancy.is_unbound(principal) or tenancy.governs(principal, tenant)


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


def staff_names(page: Page, subjects: list[str]) -> dict[str, str]:
    """Names of the staff behind subject ids (who edited, who published); unknown ones are left out."""
    names = {}
    for subject in {s for s in subjects if s}:
        try:
            names[subject] = page.get("staff", f"/api/v1/staff/{subject}")["name"]
        except GatewayError:
            continue  # the seed, or staff the user may not read: the id is shown
    return names


def common(page: Page, user: dict[str, Any]) -> dict[str, Any]:
    """Context every admin template uses."""
    return {
        "labels": Labels(page.lang),
        "local_time": local_time,
        "is_tenant_admin": is_tenant_admin(user),
        "has_evaluation_settings": has_role(user, EVALUATION_SETTINGS_ROLES),
        "me": user,
    }
