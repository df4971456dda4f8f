"""Who may do what in the licence service (the scope rules are ywtb.common.tenancy's)."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import PermissionDenied


def require_department_staff(principal: Principal) -> None:
    """Staff bound to a tenant and a department."""
    if principal.tenant and principal.dept and principal.has_role(*tenancy.STAFF_ROLES):
        return
    raise PermissionDenied(
        "只有部门工作人员可以办理此事项，请使用工作人员账号登录。", message_en="department staff only"
    )


def require_read(principal: Principal, tenant: str, dept: str) -> None:
    """Staff of the record's department, supervisors of its tenant or above, internal services."""
    if (
        tenancy.is_department_staff(principal, tenant, dept)
        or tenancy.supervises(principal, tenant)
        or tenancy.is_unbound(principal)
    ):
        return
    raise PermissionDenied(
        "您无权查看该记录；请联系记录所属部门。", message_en="not staff of the record's department"
    )
