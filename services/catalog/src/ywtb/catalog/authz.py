"""Who may do what in the catalogue.

The tenant scope is ywtb.common.tenancy's (docs/tenancy.md): structural, the ancestors of a tenant
derived from its region code (510104 → 510100 → 510000), not read from identity's tenant table.
A tenant admin of 510100 therefore reviews the items of 510104; one of 510105 does not.

- claim, edit, submit: the dept_admin of the implementing department (principal.dept == dept and
  principal.tenant == tenant);
- review (approve, return), publish, withdraw, bundles: a tenant_admin of the item's tenant or an
  ancestor tenant;
- basic catalogue releases: a tenant_admin of the province tenant;
- platform_admin may do all of it; citizens and anonymous callers only read published items.
"""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import PermissionDenied


def require_dept_editor(principal: Principal, tenant: str, dept: str) -> None:
    """Claim, edit, submit: the implementing department's dept_admin (or a platform admin)."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return
    if tenancy.is_department_staff(principal, tenant, dept, (tenancy.DEPT_ADMIN,)):
        return
    raise PermissionDenied(
        "只有实施部门的部门管理员可以认领、编辑和上报本部门的事项；如需办理请联系该部门管理员。",
        message_en="dept_admin of the implementing department required",
    )


def require_reviewer(principal: Principal, tenant: str) -> None:
    """Approve, return, publish, withdraw: a tenant_admin of the tenant or an ancestor (or a platform admin)."""
    if tenancy.administers(principal, tenant):
        return
    raise PermissionDenied(
        "只有本地区或上级地区的政务服务管理部门（地区管理员）可以审核、发布和撤回事项。",
        message_en="tenant_admin of the item's tenant or an ancestor required",
    )


def require_catalogue_keeper(principal: Principal, province: str) -> None:
    """Basic catalogue releases: the province's tenant admin (or a platform admin)."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return
    if principal.has_role(tenancy.TENANT_ADMIN) and principal.tenant == province:
        return
    raise PermissionDenied(
        "基本目录由省级政务服务管理部门维护；请联系省级管理员导入。",
        message_en="tenant_admin of the province required",
    )


def require_staff_reader(principal: Principal, tenant: str, dept: str = "") -> None:
    """Drafts: staff of the department, or admins and supervisors of the tenant or an ancestor."""
    if tenancy.supervises(principal, tenant) or tenancy.is_department_staff(principal, tenant, dept):
        return
    raise PermissionDenied(
        "您无权查看该部门未发布的事项；已发布的办事指南请在事项检索中查看。",
        message_en="not allowed to read this department's drafts",
    )
