"""Who may do what with a case: the applicant, clerks of the item's department, supervisors upward.

一件事 (bundle) cases: every department of a bundled item is a department of the case. A window clerk
of the bundle's tenant in any of them may submit it at the window, notify deficiencies, accept or
reject it (there is no 综合窗口 role in the realm; the case's `dept` is the first item's department,
the accepting window by default).
"""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import PermissionDenied
from ywtb.intake.models import Case

APPLICANT_ROLES = tenancy.APPLICANT_ROLES
CLERK_ROLES = (tenancy.WINDOW_CLERK,)
STAFF_READER_ROLES = tenancy.CASE_HANDLER_ROLES
# Who can_read may admit at all (the door of the case reads): applicants, handlers, supervisors, unbound.
CASE_READER_ROLES = (
    *APPLICANT_ROLES,
    *STAFF_READER_ROLES,
    *tenancy.SUPERVISING_ROLES,
    *tenancy.UNBOUND_ROLES,
)
# Who require_queue_reader may admit at all.
QUEUE_READER_ROLES = (*STAFF_READER_ROLES, *tenancy.SUPERVISING_ROLES, *tenancy.UNBOUND_ROLES)


def case_depts(dept: str, bundle_items: list[dict] | None) -> list[str]:  # type: ignore[type-arg]
    """The departments of a case: its own, then those of its bundled items."""
    depts = [dept]
    for item in bundle_items or []:
        if item.get("dept") and item["dept"] not in depts:
            depts.append(item["dept"])
    return depts


def is_clerk_of_any(principal: Principal, tenant: str, depts: list[str]) -> bool:
    """A window clerk of the tenant in one of the departments."""
    return tenancy.is_staff_of_any(principal, tenant, depts, CLERK_ROLES)


def can_read(principal: Principal, case: Case) -> bool:
    """The applicant (owner or submitter), staff of the department, supervisors, internal services."""
    if tenancy.is_unbound(principal):
        return True
    if principal.subject in (case.owner, case.submitted_by) and principal.subject:
        return True
    return tenancy.is_staff_of_any(
        principal, case.tenant, case_depts(case.dept, case.bundle_items), STAFF_READER_ROLES
    ) or tenancy.supervises(principal, case.tenant)


def require_clerk(principal: Principal, case: Case) -> None:
    """A window clerk of the case's tenant and department (受理 is theirs alone); for 一件事 any bundled
    item's department."""
    if not is_clerk_of_any(principal, case.tenant, case_depts(case.dept, case.bundle_items)):
        raise PermissionDenied(
            "只有该事项所属部门的窗口受理人员可以办理此操作。",
            message_en="window clerk of the case's department required",
        )


def require_applicant_or_clerk(principal: Principal, case: Case) -> None:
    """The applicant online, or a clerk of the department at the window."""
    if principal.subject and principal.subject in (case.owner, case.submitted_by):
        return
    require_clerk(principal, case)


def require_queue_reader(principal: Principal, tenant: str, dept: str) -> str:
    """Staff of the department, or a supervisor of the tenant or above; the department to filter on."""
    if tenancy.supervises(principal, tenant) or tenancy.is_unbound(principal):
        return dept
    if dept in ("", principal.dept) and tenancy.is_department_staff(
        principal, tenant, principal.dept, STAFF_READER_ROLES
    ):
        return principal.dept
    raise PermissionDenied(
        "您只能查看本部门的办件；如需查看其他部门或地区，请联系监督人员。",
        message_en="case queue out of scope",
    )
