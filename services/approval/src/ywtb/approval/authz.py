"""Who may do what in approval: task queues by role and department, case reads, case actions."""

from __future__ import annotations

from ywtb.common.auth.principal import Principal
from ywtb.common.codes import region_ancestors
from ywtb.common.errors import PermissionDenied

STAFF_ROLES = ("window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor")
CASE_ACTORS = ("approver", "dept_admin")  # 特别程序, 延长期限: the handling department's approver or head
SUPERVISORS = ("tenant_admin", "supervisor", "platform_admin")


def _in_tenant_scope(principal: Principal, tenant: str) -> bool:
    """The principal's tenant is the case's tenant or an ancestor of it (upward supervision)."""
    if principal.tenant == tenant:
        return True
    try:
        return principal.tenant in region_ancestors(tenant)
    except ValueError:
        return False


def can_read_case(principal: Principal, tenant: str, depts: set[str], applicant: str) -> bool:
    """The applicant; staff of the handling departments; supervisors and admins of the tenant or above."""
    if applicant and principal.subject == applicant:
        return True
    if principal.has_role("platform_admin", "service"):
        return True
    if principal.has_role(*SUPERVISORS) and _in_tenant_scope(principal, tenant):
        return True
    return principal.has_role(*STAFF_ROLES) and principal.tenant == tenant and principal.dept in depts


def require_read_case(principal: Principal, tenant: str, depts: set[str], applicant: str) -> None:
    """PermissionDenied unless can_read_case."""
    if not can_read_case(principal, tenant, depts, applicant):
        raise PermissionDenied(
            "您无权查看该办件；申请人只能查看本人的办件，工作人员只能查看本部门承办的办件。",
            message_en="not the applicant nor staff of the case's department",
        )


def may_claim(principal: Principal, tenant: str, dept: str, role: str) -> bool:
    """Staff of the task's tenant and department holding its candidate role."""
    return principal.tenant == tenant and principal.dept == dept and principal.has_role(role)


def require_case_actor(principal: Principal, tenant: str, depts: set[str]) -> None:
    """An approver or department head of a handling department of the case."""
    if principal.tenant == tenant and principal.dept in depts and principal.has_role(*CASE_ACTORS):
        return
    raise PermissionDenied(
        "只有承办部门的审批人员或部门负责人可以启动特别程序或延长办理期限。",
        message_en="approver or dept_admin of a handling department required",
    )


def require_dept_admin(principal: Principal, tenant: str, dept: str) -> None:
    """The department's admin (AB 角 is set by the department)."""
    if principal.has_role("dept_admin") and principal.tenant == tenant and principal.dept == dept:
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
    return name[0] + "*" * max(len(name) - 1, 2)
