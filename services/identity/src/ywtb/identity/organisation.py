"""地区 and 部门: onboarding tenants (行政区划) and their departments (统一社会信用代码)."""

from __future__ import annotations

from sqlalchemy import select

from ywtb.api.identity.v1 import events_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc_now
from ywtb.common.codes import region_level, region_parent, validate_credit_code, validate_region_code
from ywtb.common.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from ywtb.identity import authz, convert
from ywtb.identity.core import IdentityCore, invalid, require_text
from ywtb.identity.events import DEPARTMENT_TOPIC, TENANT_TOPIC, publish
from ywtb.identity.models import Department, Tenant

LEVELS = {"province": 1, "city": 2, "county": 3}


class Organisation(IdentityCore):
    """Tenants and departments."""

    def onboard_tenant(self, principal: Principal, code: str, name: str, parent_code: str) -> Tenant:
        """Onboard a province, city or county (platform admin only)."""
        principal.require_role("platform_admin")
        code = validate_region_code(code, "code")
        name = require_text(name, "name", "地区名称")
        level = region_level(code)
        expected_parent = None if level == "province" else (parent_code or region_parent(code))
        if expected_parent and region_parent(code) and expected_parent != region_parent(code):
            raise invalid(
                "parent_code", f"{code} 的上级地区应为 {region_parent(code)}。", "parent does not match code"
            )
        with self.db.transaction() as session:
            if session.get(Tenant, code):
                raise AlreadyExists(f"地区 {code} 已开通，请勿重复开通。", code="TENANT_EXISTS")
            if expected_parent and session.get(Tenant, expected_parent) is None:
                raise FailedPrecondition(
                    f"请先开通上级地区 {expected_parent}，再开通 {code}。", code="PARENT_TENANT_MISSING"
                )
            tenant = Tenant(
                code=code, name=name, parent_code=expected_parent, level=LEVELS[level], onboarded_at=utc_now()
            )
            session.add(tenant)
            session.flush()
            publish(
                session,
                events_pb2.TenantOnboarded(tenant=convert.tenant(tenant)),
                topic=TENANT_TOPIC,
                key=code,
                tenant=code,
            )
            return tenant

    def get_tenant(self, code: str) -> Tenant:
        """One tenant (public facts: code, name, parent)."""
        with self.db.transaction() as session:
            tenant = session.get(Tenant, code)
            if tenant is None:
                raise NotFound(f"地区 {code} 尚未开通。", code="TENANT_NOT_FOUND")
            return tenant

    def list_tenants(self, parent_code: str) -> list[Tenant]:
        """Children of a tenant, or the provinces."""
        with self.db.transaction() as session:
            query = select(Tenant).where(
                Tenant.parent_code == parent_code if parent_code else Tenant.parent_code.is_(None)
            )
            return list(session.scalars(query.order_by(Tenant.code)))

    # 部门 departments

    def create_department(
        self, principal: Principal, tenant: str, credit_code: str, name: str, short_name: str
    ) -> Department:
        """Create a department in a tenant (its tenant admin, an ancestor's, or a platform admin)."""
        credit_code = validate_credit_code(credit_code)
        name = require_text(name, "name", "部门名称", 200)
        with self.db.transaction() as session:
            authz.require_admin_of(session, principal, tenant)
            if session.get(Department, credit_code):
                raise AlreadyExists(
                    "该统一社会信用代码的部门已存在，请勿重复创建。", code="DEPARTMENT_EXISTS"
                )
            dept = Department(
                credit_code=credit_code,
                tenant=tenant,
                name=name,
                short_name=short_name.strip(),
                created_at=utc_now(),
            )
            session.add(dept)
            session.flush()
            publish(
                session,
                events_pb2.DepartmentCreated(department=convert.department(dept)),
                topic=DEPARTMENT_TOPIC,
                key=credit_code,
                tenant=tenant,
            )
            return dept

    def list_departments(self, principal: Principal, tenant: str) -> list[Department]:
        """Departments of a tenant, for staff of that tenant or an ancestor."""
        with self.db.transaction() as session:
            if not authz.in_scope(session, principal, tenant):
                raise PermissionDenied("您无权查看该地区的部门。", message_en="tenant out of scope")
            return list(
                session.scalars(
                    select(Department).where(Department.tenant == tenant).order_by(Department.name)
                )
            )
