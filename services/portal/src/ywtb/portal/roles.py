"""The roles of the signed-in user (from /api/v1/me) and which pages each set of roles opens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Every staff role the workbench client may hold (the citizen client holds none of them).
STAFF_ROLES = frozenset(
    {"window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor", "platform_admin"}
)
# The workbench: its pages, the intake queue, the admin link in its navigation.
WORKBENCH_ROLES = frozenset({"window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor"})
QUEUE_ROLES = frozenset({"window_clerk", "approver", "supervisor"})
WORKBENCH_ADMIN_LINK_ROLES = frozenset({"dept_admin", "tenant_admin"})
# The admin pages; tenant admins (and the platform admin) manage the whole tenant and review items.
ADMIN_ROLES = frozenset({"tenant_admin", "dept_admin", "platform_admin"})
TENANT_ADMIN_ROLES = frozenset({"tenant_admin", "platform_admin"})
STAFF_ROLE_NAMES = ("window_clerk", "approver", "dept_admin", "tenant_admin", "supervisor")
# The roles a department admin may grant (identity's rule; the service enforces it).
DEPT_ADMIN_GRANTS = ("window_clerk", "approver")


def has_role(user: Mapping[str, Any] | None, roles: Iterable[str]) -> bool:
    """The user holds at least one of `roles`."""
    return not set((user or {}).get("roles") or []).isdisjoint(roles)
