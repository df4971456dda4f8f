"""Who may do what in identity: the tenant scope of ywtb.common.tenancy (own tenant and those below it)
on onboarded tenants, and which staff roles each admin may grant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.identity.models import Tenant

STAFF_ROLES = frozenset(tenancy.STAFF_ROLES)
GRANTABLE = {
    tenancy.PLATFORM_ADMIN: STAFF_ROLES,
    tenancy.TENANT_ADMIN: STAFF_ROLES,
    tenancy.DEPT_ADMIN: frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER}),
}


def lineage(session: Session, code: str) -> list[str]:
    """The tenant and its ancestors, nearest first; NotFound when the tenant does not exist."""
    chain: list[str] = []
    current: str | None = code
    while current:
        tenant = session.get(Tenant, current)
        if tenant is None:
            if not chain:
                raise NotFound(
                    f"行政区划 {code} 尚未开通，请先由平台管理员开通该地区。", code="TENANT_NOT_FOUND"
                )
            break
        chain.append(tenant.code)
        current = tenant.parent_code
    return chain


def require_onboarded(session: Session, tenant: str) -> None:
    """NotFound unless the tenant has been onboarded."""
    lineage(session, tenant)


def in_scope(session: Session, principal: Principal, tenant: str) -> bool:
    """True when the principal's tenant is this (onboarded) tenant or one of its ancestors."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return True
    require_onboarded(session, tenant)
    return tenancy.governs(principal, tenant)


def require_window_of(session: Session, principal: Principal, tenant: str, message: str) -> None:
    """A window clerk of exactly this (onboarded) tenant: acting never reaches down the tree (docs/tenancy.md)."""
    principal.require_role(tenancy.WINDOW_CLERK)
    require_onboarded(session, tenant)
    if principal.tenant != tenant:
        raise PermissionDenied(message, message_en="window clerk of this tenant required")


def require_admin_of(session: Session, principal: Principal, tenant: str) -> None:
    """Platform admin, or a tenant admin of this tenant or an ancestor."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return
    if principal.has_role(tenancy.TENANT_ADMIN):
        require_onboarded(session, tenant)
        if tenancy.administers(principal, tenant):
            return
    raise PermissionDenied(
        "您只能管理本地区及下级地区的部门和人员；如需办理请联系对应地区的管理员。",
        message_en="tenant admin of this tenant or an ancestor required",
    )


def require_staff_admin(session: Session, principal: Principal, tenant: str, dept: str) -> frozenset[str]:
    """May create staff in this department; the roles the principal may grant."""
    if principal.has_role(tenancy.PLATFORM_ADMIN, tenancy.TENANT_ADMIN):
        require_admin_of(session, principal, tenant)
        return STAFF_ROLES
    if tenancy.is_department_staff(principal, tenant, dept, (tenancy.DEPT_ADMIN,)):
        return GRANTABLE[tenancy.DEPT_ADMIN]
    raise PermissionDenied(
        "您没有在该部门新增工作人员的权限；请联系本地区管理员。",
        message_en="not an admin of this department",
    )


def require_staff_reader(session: Session, principal: Principal, tenant: str, dept: str = "") -> None:
    """Staff lists: admins and supervisors of the tenant or an ancestor; a dept admin for their dept."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return
    if principal.has_role(*tenancy.SUPERVISING_ROLES):
        require_onboarded(session, tenant)
        if tenancy.supervises(principal, tenant):
            return
    if tenancy.is_department_staff(principal, tenant, dept, (tenancy.DEPT_ADMIN,)):
        return
    raise PermissionDenied(
        "您无权查看该地区或部门的工作人员信息。", message_en="not allowed to read this staff list"
    )
