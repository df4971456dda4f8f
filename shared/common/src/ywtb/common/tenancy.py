"""Tenant scope (docs/tenancy.md): the role names and the one set of rules every service's authz uses.

A tenant is a 6-digit GB/T 2260 region code; its ancestors are structural (510104 → 510100 → 510000).

- Own tenant: staff act only in their own tenant and department.
- Upward supervision (a city sees its counties): a tenant_admin or supervisor of a tenant reads the
  data of that tenant and of every tenant below it — never of a sibling or of a tenant above.
- Administration goes downward too: a tenant_admin of a tenant or an ancestor administers it.
- platform_admin and internal services are not bound to a tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ywtb.common.codes import region_parent

if TYPE_CHECKING:  # the principal module takes its role names from here
    from ywtb.common.auth.principal import Principal

CITIZEN = "citizen"
LEGAL_PERSON_AGENT = "legal_person_agent"
WINDOW_CLERK = "window_clerk"
APPROVER = "approver"
DEPT_ADMIN = "dept_admin"
TENANT_ADMIN = "tenant_admin"
SUPERVISOR = "supervisor"
PLATFORM_ADMIN = "platform_admin"
EXTERNAL_SYSTEM = "external_system"
SERVICE = "service"

APPLICANT_ROLES = (CITIZEN, LEGAL_PERSON_AGENT)
STAFF_ROLES = (WINDOW_CLERK, APPROVER, DEPT_ADMIN, TENANT_ADMIN, SUPERVISOR)
CASE_HANDLER_ROLES = (WINDOW_CLERK, APPROVER)
SUPERVISING_ROLES = (TENANT_ADMIN, SUPERVISOR)
UNBOUND_ROLES = (PLATFORM_ADMIN, SERVICE)
ALL_ROLES = (*APPLICANT_ROLES, *STAFF_ROLES, PLATFORM_ADMIN, EXTERNAL_SYSTEM, SERVICE)


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
    """The principal's tenant is this tenant or one of its ancestors."""
    return bool(principal.tenant) and principal.tenant in lineage(tenant)


def is_unbound(principal: Principal) -> bool:
    """A platform admin or an internal service: not bound to one tenant."""
    return principal.has_role(*UNBOUND_ROLES)


def supervises(principal: Principal, tenant: str) -> bool:
    """Upward supervision: a tenant_admin or supervisor of the tenant or an ancestor (or a platform admin)."""
    if principal.has_role(PLATFORM_ADMIN):
        return True
    return principal.has_role(*SUPERVISING_ROLES) and governs(principal, tenant)


def administers(principal: Principal, tenant: str) -> bool:
    """A tenant_admin of the tenant or an ancestor (or a platform admin)."""
    if principal.has_role(PLATFORM_ADMIN):
        return True
    return principal.has_role(TENANT_ADMIN) and governs(principal, tenant)


def is_department_staff(
    principal: Principal, tenant: str, dept: str, roles: tuple[str, ...] = STAFF_ROLES
) -> bool:
    """Staff with one of `roles` in exactly this tenant and department."""
    return bool(dept) and principal.has_role(*roles) and principal.tenant == tenant and principal.dept == dept


def is_staff_of_any(
    principal: Principal, tenant: str, depts: Iterable[str], roles: tuple[str, ...] = STAFF_ROLES
) -> bool:
    """Staff with one of `roles` in this tenant and one of the departments."""
    return any(is_department_staff(principal, tenant, dept, roles) for dept in depts)
