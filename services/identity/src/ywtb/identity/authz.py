"""Who may do what in identity: tenant scope (own tenant and its children) and staff role grants."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.identity.models import Tenant

STAFF_ROLES = frozenset({"window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor"})
GRANTABLE = {
    "platform_admin": STAFF_ROLES,
    "tenant_admin": STAFF_ROLES,
    "dept_admin": frozenset({"window_clerk", "approver"}),
}
STAFF_READERS = ("platform_admin", "tenant_admin", "dept_admin", "supervisor")


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


def in_scope(session: Session, principal: Principal, tenant: str) -> bool:
    """True when the principal's tenant is this tenant or one of its ancestors."""
    return principal.has_role("platform_admin") or principal.tenant in lineage(session, tenant)


def require_admin_of(session: Session, principal: Principal, tenant: str) -> None:
    """Platform admin, or a tenant admin of this tenant or an ancestor."""
    if principal.has_role("platform_admin"):
        return
    if principal.has_role("tenant_admin") and principal.tenant in lineage(session, tenant):
        return
    raise PermissionDenied(
        "您只能管理本地区及下级地区的部门和人员；如需办理请联系对应地区的管理员。",
        message_en="tenant admin of this tenant or an ancestor required",
    )


def require_staff_admin(session: Session, principal: Principal, tenant: str, dept: str) -> frozenset[str]:
    """May create staff in this department; the roles the principal may grant."""
    if principal.has_role("platform_admin", "tenant_admin"):
        require_admin_of(session, principal, tenant)
        return STAFF_ROLES
    if principal.has_role("dept_admin") and principal.dept == dept and principal.tenant == tenant:
        return GRANTABLE["dept_admin"]
    raise PermissionDenied(
        "您没有在该部门新增工作人员的权限；请联系本地区管理员。",
        message_en="not an admin of this department",
    )


def require_staff_reader(session: Session, principal: Principal, tenant: str, dept: str = "") -> None:
    """Staff lists: admins and supervisors of the tenant or an ancestor; a dept admin for their dept."""
    if principal.has_role("platform_admin", "tenant_admin", "supervisor") and in_scope(
        session, principal, tenant
    ):
        return
    if principal.has_role("dept_admin") and principal.tenant == tenant and dept and principal.dept == dept:
        return
    raise PermissionDenied(
        "您无权查看该地区或部门的工作人员信息。", message_en="not allowed to read this staff list"
    )
