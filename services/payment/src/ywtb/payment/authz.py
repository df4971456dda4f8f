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
