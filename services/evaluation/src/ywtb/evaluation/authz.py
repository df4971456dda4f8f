"""Who may do what in the evaluation service (the scope rules are ywtb.common.tenancy's). The rater is
protected: staff of the rated department see ratings with the rater masked; only the roles that handle
callbacks and supervise see who rated."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied

# The department's callbacks and rectifications; its admins also appeal and see who rated.
HANDLER_ROLES = (tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN)
APPEAL_ROLES = (tenancy.DEPT_ADMIN,)


def require_applicant(principal: Principal) -> None:
    """A citizen or a legal person's agent, rating or reading their own."""
    if principal.subject and principal.has_role(*tenancy.APPLICANT_ROLES):
        return
    raise PermissionDenied("请使用个人或法人账号登录后评价。", message_en="applicants only")


def may_read(principal: Principal, tenant: str, dept: str, rater: str = "") -> bool:
    """The rater, staff of the rated department, supervisors of its tenant or above, internal services."""
    return (
        (bool(rater) and principal.subject == rater)
        or tenancy.is_department_staff(principal, tenant, dept)
        or tenancy.supervises(principal, tenant)
        or tenancy.is_unbound(principal)
    )


def may_see_rater(principal: Principal, tenant: str, dept: str, rater: str) -> bool:
    """Who rated is shown to the rater, the rated department's admins (who call back), supervisors."""
    return (
        (bool(rater) and principal.subject == rater)
        or tenancy.is_department_staff(principal, tenant, dept, (tenancy.DEPT_ADMIN,))
        or tenancy.supervises(principal, tenant)
        or principal.has_role(tenancy.PLATFORM_ADMIN)
    )


def require_handler(principal: Principal, tenant: str, dept: str) -> None:
    """Staff of the rated department who handle its bad reviews; others see no such rectification."""
    if tenancy.is_department_staff(principal, tenant, dept, HANDLER_ROLES):
        return
    raise NotFound("未找到该差评整改。", code="EVALUATION_NOT_FOUND")


def require_department_staff(principal: Principal) -> None:
    """Staff bound to a department, or supervisors of a tenant (who see every department of it)."""
    bound = principal.dept or principal.has_role(*tenancy.SUPERVISING_ROLES)
    if principal.tenant and bound and principal.has_role(*tenancy.STAFF_ROLES):
        return
    raise PermissionDenied("请使用部门工作人员账号查看本部门的评价。", message_en="department staff only")


def in_scope(principal: Principal, tenant: str, dept: str) -> bool:
    """The rating is of the caller's department, or of a tenant the caller supervises."""
    return tenancy.is_department_staff(principal, tenant, dept) or tenancy.supervises(principal, tenant)
