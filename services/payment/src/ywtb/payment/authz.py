"""Who may do what in the payment service (the scope rules are ywtb.common.tenancy's)."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.payment.models import Mismatch, PaymentOrder


def require_applicant(principal: Principal) -> None:
    """A citizen or a legal person's agent (their own orders)."""
    if principal.subject and principal.has_role(*tenancy.APPLICANT_ROLES):
        return
    raise PermissionDenied("请使用个人或法人账号登录后查看我的缴费。", message_en="applicants only")


def require_order_read(principal: Principal, order: PaymentOrder) -> None:
    """The order's payer, staff of its department, supervisors of its tenant or above, internal services;
    to anyone else the case has no orders to show (NotFound, its existence not told)."""
    if (
        (principal.subject and principal.subject == order.owner)
        or tenancy.is_department_staff(principal, order.tenant, order.dept)
        or tenancy.supervises(principal, order.tenant)
        or tenancy.is_unbound(principal)
    ):
        return
    raise NotFound("未找到该办件的缴费订单。", code="PAYMENT_ORDER_NOT_FOUND")


RECONCILER_ROLES = (tenancy.DEPT_ADMIN, tenancy.TENANT_ADMIN, tenancy.PLATFORM_ADMIN)


def may_reconcile(principal: Principal, mismatch: Mismatch) -> bool:
    """A department admin of the order's department, a tenant admin above its tenant, a platform admin (who
    alone sees a payment of no order)."""
    if principal.has_role(tenancy.PLATFORM_ADMIN):
        return True
    if not mismatch.tenant:
        return False
    return tenancy.is_department_staff(
        principal, mismatch.tenant, mismatch.dept, (tenancy.DEPT_ADMIN,)
    ) or tenancy.administers(principal, mismatch.tenant)


def require_reconciler(principal: Principal) -> None:
    """A tenant or platform admin (a day's statement spans departments)."""
    if principal.has_role(tenancy.TENANT_ADMIN, tenancy.PLATFORM_ADMIN):
        return
    raise PermissionDenied(
        "只有租户管理员或平台管理员可以发起对账。", message_en="tenant or platform admins only"
    )


ORDER_MAKER_ROLES = (tenancy.WINDOW_CLERK, tenancy.APPROVER, tenancy.DEPT_ADMIN)
FINANCE_ROLES = (tenancy.DEPT_ADMIN,)  # the department's finance decisions: refunds, late payments


def require_department_role(principal: Principal, order: PaymentOrder, roles: tuple[str, ...]) -> None:
    """Staff of the order's department with one of `roles`; other staff see no such order (NotFound)."""
    if tenancy.is_department_staff(principal, order.tenant, order.dept, roles):
        return
    if tenancy.is_department_staff(principal, order.tenant, order.dept):
        raise PermissionDenied(
            "此项操作须由本部门相应岗位（减免由窗口或审批人员，退款和逾期缴款由部门管理员）办理。",
            message_en=f"one of {', '.join(roles)} of the order's department required",
        )
    raise NotFound("未找到该缴费订单。", code="PAYMENT_ORDER_NOT_FOUND")


def require_department_staff(principal: Principal) -> None:
    """Staff bound to a department (the workbench's order list is their department's)."""
    if principal.dept and principal.has_role(*tenancy.STAFF_ROLES):
        return
    raise PermissionDenied("请使用部门工作人员账号查看本部门缴费订单。", message_en="department staff only")
