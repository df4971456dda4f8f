"""登录主体: the principal a token carries, and the local password check of the embedded issuer."""

from __future__ import annotations

from sqlalchemy import select

from ywtb.api.identity.v1 import identity_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition, NotFound, PermissionDenied, Unauthenticated
from ywtb.identity.core import IdentityCore
from ywtb.identity.models import Account, AgentAuthorisation, Person, Staff
from ywtb.identity.passwords import verify_password


class Principals(IdentityCore):
    """Resolving principals."""

    def resolve_principal(self, principal: Principal, username: str) -> Principal:
        """The principal a token for this account carries (services and platform admins)."""
        if not principal.has_role("service", "platform_admin"):
            raise PermissionDenied(message_en="service principal required")
        return self._principal_of(username)

    def authenticate_password(self, principal: Principal, username: str, password: str) -> Principal:
        """Check a password against the local store (embedded built-in issuer only)."""
        principal.require_role("service")
        if not self.local_passwords:
            raise FailedPrecondition("请通过统一身份认证平台（Keycloak）登录。", code="USE_IDENTITY_PROVIDER")
        with self.db.transaction() as session:
            account = session.scalar(select(Account).where(Account.username == username.strip().lower()))
        if account is None or not verify_password(password, account.password_hash):
            raise Unauthenticated("用户名或密码错误，请重新输入。", code="BAD_CREDENTIALS")
        return self._principal_of(account.username)

    def _principal_of(self, username: str) -> Principal:
        with self.db.transaction() as session:
            account = session.scalar(select(Account).where(Account.username == username.strip().lower()))
            if account is None or account.status != identity_pb2.ACCOUNT_STATUS_ACTIVE:
                raise NotFound("账户不存在或尚未开通。", code="ACCOUNT_NOT_FOUND")
            if account.kind == "staff":
                staff = session.get(Staff, account.id)
                if staff is None:
                    raise NotFound("账户不存在或尚未开通。", code="ACCOUNT_NOT_FOUND")
                return Principal(
                    subject=account.id,
                    tenant=staff.tenant,
                    roles=frozenset(staff.roles),
                    dept=staff.dept,
                    subject_type="staff",
                    name=staff.name,
                )
            person = session.get(Person, account.id)
            if person is None:
                raise NotFound("账户不存在或尚未开通。", code="ACCOUNT_NOT_FOUND")
            agent = session.scalar(
                select(AgentAuthorisation.credit_code).where(AgentAuthorisation.person_id == account.id)
            )
            roles = {"citizen", "legal_person_agent"} if agent else {"citizen"}
            return Principal(
                subject=account.id,
                tenant=person.tenant,
                roles=frozenset(roles),
                subject_type="person",
                real_name_level=person.real_name_level,
                name=person.name,
            )
