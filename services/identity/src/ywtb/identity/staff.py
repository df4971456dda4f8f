"""工作人员: staff accounts with their roles, created by the admins who may grant them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc_now
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.common.pii import mask_phone
from ywtb.identity import authz
from ywtb.identity.core import IdentityCore, invalid, require_mobile, require_text, require_username
from ywtb.identity.models import Account, Department, Staff
from ywtb.identity.passwords import check_password_policy


class StaffAccounts(IdentityCore):
    """Creating and reading staff."""

    def create_staff(
        self,
        principal: Principal,
        dept: str,
        username: str,
        name: str,
        roles: list[str],
        mobile: str,
        password: str,
        *,
        bootstrap: bool = False,
        temporary_password: bool = True,
        staff_id: str | None = None,
    ) -> tuple[Staff, Account]:
        """Create a staff member and provision the account (completes later if the IdP is down).

        Start-up code only, never the API: `bootstrap` may grant platform_admin;
        `temporary_password=False` skips the forced change at first login (the demo seed, so that
        its accounts can log in with the password grant); `staff_id` fixes the account id (the demo
        seed: the same sample account in every database, so a shared Keycloak user is adopted).
        """
        username = require_username(username)
        name = require_text(name, "name", "姓名")
        mobile = require_mobile(mobile)
        check_password_policy(password, "initial_password")
        allowed = authz.STAFF_ROLES | {"platform_admin"} if bootstrap else authz.STAFF_ROLES
        if not roles or not set(roles) <= allowed:
            message = "请为工作人员选择角色：窗口受理、审批、部门管理员、地区管理员或监督人员。"
            raise invalid("roles", message, "roles must be non-empty staff roles")
        staff_id = staff_id or str(uuid.uuid4())
        with self.db.transaction() as session:
            department = session.get(Department, dept)
            if department is None:
                raise NotFound("未找到该部门，请核对统一社会信用代码。", code="DEPARTMENT_NOT_FOUND")
            grantable = authz.require_staff_admin(session, principal, department.tenant, dept)
            if not bootstrap and not set(roles) <= grantable:
                raise PermissionDenied(
                    "您不能授予所选角色，请联系上级管理员。", message_en="role not grantable"
                )
            account = self.new_account(
                session,
                staff_id,
                "staff",
                username,
                department.tenant,
                password,
                temporary=temporary_password,
            )
            staff = Staff(
                id=staff_id,
                tenant=department.tenant,
                dept=dept,
                name=name,
                roles=sorted(set(roles)),
                mobile_enc=self.keys.seal(mobile, f"staff.mobile:{staff_id}"),
                mobile_masked=mask_phone(mobile),
                created_at=utc_now(),
            )
            session.add(staff)
        account = self.provisioner.provision_now(staff_id)
        return self.get_staff(principal, staff_id), account

    def get_staff(self, principal: Principal, staff_id: str) -> Staff:
        """One staff member (themselves, or a reader of their tenant)."""
        with self.db.transaction() as session:
            staff = session.get(Staff, staff_id)
            if staff is None:
                raise NotFound("未找到该工作人员。", code="STAFF_NOT_FOUND")
            if principal.subject != staff_id and not principal.has_role("service"):
                authz.require_staff_reader(session, principal, staff.tenant, staff.dept)
            staff.account = session.get(Account, staff_id)  # type: ignore[attr-defined]
            return staff

    def list_staff(self, principal: Principal, tenant: str, dept: str) -> list[Staff]:
        """Staff of a tenant or one department."""
        with self.db.transaction() as session:
            authz.require_staff_reader(session, principal, tenant, dept)
            query = select(Staff).where(Staff.tenant == tenant)
            if dept:
                query = query.where(Staff.dept == dept)
            rows = list(session.scalars(query))
            for staff in rows:
                staff.account = session.get(Account, staff.id)  # type: ignore[attr-defined]
            return sorted(rows, key=lambda s: s.account.username)  # type: ignore[attr-defined]
