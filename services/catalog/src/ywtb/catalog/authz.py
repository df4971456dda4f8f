"""Who may do what in the catalogue.

The catalogue's tenant check is structural: the ancestors of a tenant are derived from its region
code (510104 → 510100 → 510000, ywtb.common.codes.region_parent), not read from identity's tenant
table (the catalog owns no tenants). A tenant admin of 510100 therefore reviews the items of
510104; one of 510105 does not.

- claim, edit, submit: the dept_admin of the implementing department (principal.dept == dept and
  principal.tenant == tenant);
- review (approve, return), publish, withdraw, bundles: a tenant_admin of the item's tenant or an
  ancestor tenant;
- basic catalogue releases: a tenant_admin of the province tenant;
- platform_admin may do all of it; citizens and anonymous callers only read published items.
"""

from __future__ import annotations

from ywtb.common.auth.principal import Principal
from ywtb.common.codes import region_parent
from ywtb.common.errors import PermissionDenied

STAFF_ROLES = ("window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor")


def lineage(tenant: str) -> list[str]:
    """The tenant and its structural ancestors, nearest first ([] for a malformed code)."""
    chain: list[str] = []
    current: str | None = tenant
    try:
        while current:
            chain.append(current)
            current = region_parent(current)
    except ValueError:
        return []
    return chain


def governs(principal: Principal, tenant: str) -> bool:
    """True when the principal's tenant is this tenant or one of its ancestors."""
    return bool(principal.tenant) and principal.tenant in lineage(tenant)


def require_dept_editor(principal: Principal, tenant: str, dept: str) -> None:
    """Claim, edit, submit: the implementing department's dept_admin (or a platform admin)."""
    if principal.has_role("platform_admin"):
        return
    if principal.has_role("dept_admin") and principal.dept == dept and principal.tenant == tenant:
        return
    raise PermissionDenied(
        "只有实施部门的部门管理员可以认领、编辑和上报本部门的事项；如需办理请联系该部门管理员。",
        message_en="dept_admin of the implementing department required",
    )


def require_reviewer(principal: Principal, tenant: str) -> None:
    """Approve, return, publish, withdraw: a tenant_admin of the tenant or an ancestor (or a platform admin)."""
    if principal.has_role("platform_admin"):
        return
    if principal.has_role("tenant_admin") and governs(principal, tenant):
        return
    raise PermissionDenied(
        "只有本地区或上级地区的政务服务管理部门（地区管理员）可以审核、发布和撤回事项。",
        message_en="tenant_admin of the item's tenant or an ancestor required",
    )


def require_catalogue_keeper(principal: Principal, province: str) -> None:
    """Basic catalogue releases: the province's tenant admin (or a platform admin)."""
    if principal.has_role("platform_admin"):
        return
    if principal.has_role("tenant_admin") and principal.tenant == province:
        return
    raise PermissionDenied(
        "基本目录由省级政务服务管理部门维护；请联系省级管理员导入。",
        message_en="tenant_admin of the province required",
    )


def require_staff_reader(principal: Principal, tenant: str, dept: str = "") -> None:
    """Drafts: staff of the department, or admins and supervisors of the tenant or an ancestor."""
    if principal.has_role("platform_admin"):
        return
    if principal.has_role("tenant_admin", "supervisor") and governs(principal, tenant):
        return
    if principal.has_role(*STAFF_ROLES) and principal.tenant == tenant and dept and principal.dept == dept:
        return
    raise PermissionDenied(
        "您无权查看该部门未发布的事项；已发布的办事指南请在事项检索中查看。",
        message_en="not allowed to read this department's drafts",
    )
