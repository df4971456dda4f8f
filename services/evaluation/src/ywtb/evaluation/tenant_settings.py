"""Each tenant's 好差评 rules: which stages are rated, when the system rates, the callback and rectification
limits in working days. A tenant that never set them has the defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, PermissionDenied
from ywtb.evaluation.models import TenantSettings

# (field, lowest, highest, what a person is told when it is out of range)
LIMITS = (
    ("default_after_days", 1, 60, "默认评价时间须为 1 至 60 天。"),
    ("default_level", 3, 5, "默认评价须为基本满意（3）至非常满意（5）。"),
    ("callback_workdays", 1, 5, "差评回访时限须为 1 至 5 个工作日。"),
    ("rectify_workdays", 1, 60, "差评整改时限须为 1 至 60 个工作日。"),
    ("consultation_workdays", 1, 30, "咨询答复时限须为 1 至 30 个工作日。"),
    ("complaint_workdays", 1, 30, "投诉答复时限须为 1 至 30 个工作日。"),
)


@dataclass(frozen=True)
class Rules:
    """A tenant's rules (defaults: rate at completion only, 满意 after 10 days, callback 1, rectify 15, a
    consultation answered in 5 working days — the seed indicators' figure — and a complaint in 5)."""

    tenant: str
    rate_at_receipt: bool = False
    rate_at_acceptance: bool = False
    default_after_days: int = 10
    default_level: int = 4
    callback_workdays: int = 1
    rectify_workdays: int = 15
    consultation_workdays: int = 5
    complaint_workdays: int = 5


def rules_of(session: Session, tenant: str) -> Rules:
    """The tenant's rules, in the caller's transaction."""
    row = session.get(TenantSettings, tenant)
    if row is None:
        return Rules(tenant)
    return Rules(
        tenant=tenant,
        rate_at_receipt=row.rate_at_receipt,
        rate_at_acceptance=row.rate_at_acceptance,
        default_after_days=row.default_after_days,
        default_level=row.default_level,
        callback_workdays=row.callback_workdays,
        rectify_workdays=row.rectify_workdays,
        consultation_workdays=row.consultation_workdays,
        complaint_workdays=row.complaint_workdays,
    )


class TenantRules(Clocked):
    """Reading and changing a tenant's rules."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def get(self, principal: Principal, tenant: str = "") -> Rules:
        """The rules of the caller's tenant (or of one it governs)."""
        tenant = tenant or principal.tenant
        if not (tenancy.governs(principal, tenant) or tenancy.is_unbound(principal)):
            raise PermissionDenied(
                "只能查看本地区及下级地区的好差评设置。", message_en="not a governed tenant"
            )
        with self.db.transaction() as session:
            return rules_of(session, tenant)

    def update(self, principal: Principal, wanted: Rules) -> Rules:
        """Replace the caller's tenant's rules (its tenant admins)."""
        if not (principal.tenant and principal.has_role(tenancy.TENANT_ADMIN)):
            raise PermissionDenied("只有租户管理员可以修改好差评设置。", message_en="tenant admins only")
        errors = {
            name: message for name, low, high, message in LIMITS if not low <= getattr(wanted, name) <= high
        }
        if errors:
            raise InvalidArgument("好差评设置有误，请按提示修改。", fields=errors)
        values = {**asdict(wanted), "tenant": principal.tenant}
        with self.db.transaction() as session:
            row = session.get(TenantSettings, principal.tenant, with_for_update=True)
            if row is None:
                row = TenantSettings(**values, updated_by=principal.subject, updated_at=self.now())
                session.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_by, row.updated_at = principal.subject, self.now()
            return rules_of(session, principal.tenant)
