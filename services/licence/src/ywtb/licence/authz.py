"""Who may do what in the licence service (the scope rules are ywtb.common.tenancy's)."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import PermissionDenied


def require_department_admin(principal: Principal) -> None:
    """A department administrator bound to a tenant and a department (defines its licence types)."""
    if principal.tenant and principal.dept and principal.has_role(tenancy.DEPT_ADMIN):
        return
    raise PermissionDenied(
        "只有部门管理员可以定义本部门的证照类型，请使用部门管理员账号登录。",
        message_en="department administrators only",
    )


ISSUER_ROLES = (tenancy.APPROVER, tenancy.DEPT_ADMIN)


def require_issuer_staff(principal: Principal, tenant: str, issuer: str) -> None:
    """An approver or department admin of the issuing department (revokes its licences)."""
    if tenancy.is_department_staff(principal, tenant, issuer, ISSUER_ROLES):
        return
    raise PermissionDenied(
        "只有发证部门的审批人员或部门管理员可以注销本部门签发的证照。",
        message_en="staff of the issuing department only",
    )
