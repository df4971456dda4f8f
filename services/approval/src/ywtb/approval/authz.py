"""Who may do what in approval: task queues by role and department, case reads, case actions."""

from __future__ import annotations

from ywtb.common import pii, tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import PermissionDenied

STAFF_ROLES = tenancy.STAFF_ROLES
CASE_ACTORS = (
    tenancy.APPROVER,
    tenancy.DEPT_ADMIN,
)  # 特别程序, 延长期限: the handling department's approver or head


def can_read_case(principal: Principal, tenant: str, depts: set[str], applicant: str) -> bool:
    """The applicant; staff of the handling departments; supervisors and admins of the tenant or above."""
    if applicant and principal.subject == applicant:
        return True
    if tenancy.is_unbound(principal) or tenancy.supervises(principal, tenant):
        return True
    return tenancy.is_staff_of_any(principal, tenant, depts)


def require_read_case(principal: Principal, tenant: str, depts: set[str], applicant: str) -> None:
    """PermissionDenied unless can_read_case."""
    if not can_read_case(principal, tenant, depts, applicant):
        raise PermissionDenied(
            "您无权查看该办件；申请人只能查看本人的办件，工作人员只能查看本部门承办的办件。",
            message_en="not the applicant nor staff of the case's department",
        )


def may_claim(principal: Principal, tenant: str, dept: str, role: str) -> bool:
    """Staff of the task's tenant and department holding its candidate role."""
    return tenancy.is_department_staff(principal, tenant, dept, (role,))


def require_case_actor(principal: Principal, tenant: str, depts: set[str]) -> None:
    """An approver or department head of a handling department of the case."""
    if tenancy.is_staff_of_any(principal, tenant, depts, CASE_ACTORS):
        return
    raise PermissionDenied(
        "只有承办部门的审批人员或部门负责人可以启动特别程序或延长办理期限。",
        message_en="approver or dept_admin of a handling department required",
    )


def require_dept_admin(principal: Principal, tenant: str, dept: str) -> None:
    """The department's admin (AB 角 is set by the department)."""
    if tenancy.is_department_staff(principal, tenant, dept, (tenancy.DEPT_ADMIN,)):
        return
    raise PermissionDenied(
        "只有本部门管理员可以设置 AB 角（代班人员）。", message_en="dept_admin of this department required"
    )


def mask_name(name: str) -> str:
    """A handler's name as the applicant sees it: the surname and stars (王** ); 系统 stays."""
    name = (name or "").strip()
    if not name:
        return "工作人员"
    if name == "系统":
        return name
    return pii.mask_name(name, min_stars=2)
