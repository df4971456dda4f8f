"""The roles of the signed-in user (from /api/v1/me) and which pages each set of roles opens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ywtb.common import tenancy

# Every staff role the workbench client may hold (the citizen client holds none of them).
STAFF_ROLES = frozenset({*tenancy.STAFF_ROLES, tenancy.PLATFORM_ADMIN})
# The workbench: its pages, the intake queue, the admin link in its navigation.
WORKBENCH_ROLES = frozenset(tenancy.STAFF_ROLES)
QUEUE_ROLES = frozenset({*tenancy.CASE_HANDLER_ROLES, tenancy.SUPERVISOR})
DESK_ROLES = frozenset(tenancy.CASE_HANDLER_ROLES)  # 出证台: the issuing department's clerks and approvers
# 发证台账 (revoke, new versions): the issuing department's approvers and department admins
REGISTER_ROLES = frozenset({tenancy.APPROVER, tenancy.DEPT_ADMIN})
# 缴费订单 (reductions; refunds and late payments by department admins) and 对账差异.
PAYMENT_ROLES = frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN})
RECONCILE_ROLES = frozenset({tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN, tenancy.PLATFORM_ADMIN})
# 好差评: the department's ratings and bad reviews (回访 and 整改 by its clerks, approvers and admins; tenant
# admins and supervisors read them), 申诉 filed by department admins and decided by tenant admins.
EVALUATION_ROLES = frozenset(
    {tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN, tenancy.SUPERVISOR}
)
RECTIFY_ROLES = frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN})
APPEAL_ROLES = frozenset({tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN})
APPEAL_FILE_ROLES = frozenset({tenancy.DEPT_ADMIN})
APPEAL_DECIDE_ROLES = frozenset({tenancy.TENANT_ADMIN})
EVALUATION_SETTINGS_ROLES = frozenset({tenancy.TENANT_ADMIN})  # 好差评设置 of the admin's own tenant
# 窗口评价 (一次一评): the staff who serve at a window record each visit for its QR code and the tablet.
VISIT_ROLES = frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN})
# Each staff member's 好差评 figures on 评价与差评整改: the department admins, of their department's staff.
STAFF_FIGURES_ROLES = frozenset({tenancy.DEPT_ADMIN})
# 咨询投诉: the department's consultations and complaints, answered by its clerks, approvers and admins; the
# complaints escalated to the tenant's 政务服务管理 by its tenant admins.
INQUIRY_ROLES = frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN})
INQUIRY_ANSWER_ROLES = frozenset({tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN})
ESCALATION_ROLES = frozenset({tenancy.TENANT_ADMIN})
WORKBENCH_ADMIN_LINK_ROLES = frozenset({tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN})
# The admin pages; tenant admins (and the platform admin) manage the whole tenant and review items.
ADMIN_ROLES = frozenset({tenancy.TENANT_ADMIN, tenancy.DEPT_ADMIN, tenancy.PLATFORM_ADMIN})
TENANT_ADMIN_ROLES = frozenset({tenancy.TENANT_ADMIN, tenancy.PLATFORM_ADMIN})
STAFF_ROLE_NAMES = tenancy.STAFF_ROLES
# The roles a department admin may grant (identity's rule; the service enforces it).
DEPT_ADMIN_GRANTS = tenancy.CASE_HANDLER_ROLES


def has_role(user: Mapping[str, Any] | None, roles: Iterable[str]) -> bool:
    """The user holds at least one of `roles`."""
    return not set((user or {}).get("roles") or []).isdisjoint(roles)
