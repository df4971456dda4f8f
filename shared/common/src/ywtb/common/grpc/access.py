"""Who gets past the door of an RPC: every servicer method declares @public, @allow(*roles) or @authenticated.

The declaration is coarse (which roles may call at all); the use case still decides the finer scope
(tenant, department, owner). build_server refuses a servicer with an undeclared method, and the
PrincipalInterceptor refuses a caller the declaration does not admit before the handler runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ywtb.common import tenancy
from ywtb.common.auth.principal import ROLES, Principal
from ywtb.common.errors import PermissionDenied, Unauthenticated

F = TypeVar("F", bound=Callable[..., Any])
_ATTR = "__ywtb_access__"

# How the door names a role to the caller (internal services are never named).
ROLE_LABELS = {
    tenancy.CITIZEN: "自然人",
    tenancy.LEGAL_PERSON_AGENT: "法人经办人",
    tenancy.WINDOW_CLERK: "窗口受理人员",
    tenancy.APPROVER: "审批人员",
    tenancy.DEPT_ADMIN: "部门管理员",
    tenancy.TENANT_ADMIN: "地区管理员",
    tenancy.SUPERVISOR: "监督人员",
    tenancy.PLATFORM_ADMIN: "平台管理员",
    tenancy.EXTERNAL_SYSTEM: "对接的外部系统",
}


@dataclass(frozen=True)
class Access:
    """One RPC's door: open to anyone (public), to any signed principal (roles None), or to holders of roles."""

    public: bool = False
    roles: frozenset[str] | None = frozenset()

    def check(self, method: str, principal: Principal | None) -> None:
        """Unauthenticated without a principal (unless public); PermissionDenied without an admitted role."""
        if self.public:
            return
        if principal is None:
            raise Unauthenticated(message_en=f"{method} needs a signed principal")
        if self.roles is not None and not principal.has_role(*self.roles):
            raise PermissionDenied(
                _refusal(self.roles), message_en=f"{method} admits only the roles {sorted(self.roles)}"
            )


PUBLIC = Access(public=True)
AUTHENTICATED = Access(roles=None)
CLOSED = Access()  # an RPC nobody declared (a generated stub answering UNIMPLEMENTED): nobody passes


def _refusal(roles: frozenset[str]) -> str:
    labels = [label for role, label in ROLE_LABELS.items() if role in roles]
    if not labels:
        return "此项操作仅供平台内部服务调用，不能直接办理。"
    return f"此项业务只能由{'、'.join(labels)}办理；请使用相应身份的账号登录，如有疑问请联系所在单位管理员。"


def _declare(method: F, access: Access) -> F:
    if hasattr(method, _ATTR):
        raise TypeError(f"{getattr(method, '__qualname__', method)} declares its access twice")
    setattr(method, _ATTR, access)
    return method


def public(method: F) -> F:
    """Callable without a signed principal (e.g. a published guide); a principal sent along is still verified."""
    return _declare(method, PUBLIC)


def authenticated(method: F) -> F:
    """Any signed principal, whatever its roles: only for what concerns the caller itself (WhoAmI)."""
    return _declare(method, AUTHENTICATED)


def allow(*roles: str) -> Callable[[F], F]:
    """Only principals holding one of the roles (ywtb.common.tenancy) get past the door; the use case decides the rest."""
    unknown = sorted(set(roles) - ROLES)
    if not roles or unknown:
        raise ValueError(f"allow() needs roles of ywtb.common.tenancy; unknown: {unknown or 'none given'}")
    access = Access(roles=frozenset(roles))
    return lambda method: _declare(method, access)


def access_of(method: Any) -> Access | None:
    """The declaration on a servicer method (bound or not), None when it has none."""
    access = getattr(method, _ATTR, None)
    return access if isinstance(access, Access) else None


def generated_stub(servicer_class: type, name: str) -> bool:
    """The method is the generated base class's (it answers UNIMPLEMENTED), not the servicer's own."""
    for klass in servicer_class.__mro__:
        if name in vars(klass):
            return klass.__module__.endswith("_pb2_grpc")
    return True
