"""The principal: who is calling, for which tenant, with which roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from ywtb.common import tenancy
from ywtb.common.errors import PermissionDenied

ROLES = frozenset(tenancy.ALL_ROLES)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person, a staff member, an external system or a service."""

    subject: str
    tenant: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)
    dept: str = ""
    subject_type: str = ""
    real_name_level: int = 0
    name: str = ""

    def has_role(self, *roles: str) -> bool:
        """True when the principal holds any of the roles."""
        return bool(self.roles.intersection(roles))

    def require_role(self, *roles: str) -> None:
        """Raise PermissionDenied unless the principal holds one of the roles."""
        if not self.has_role(*roles):
            raise PermissionDenied(
                message_en=f"one of the roles {sorted(roles)} is required",
            )

    def to_claims(self) -> dict[str, object]:
        """The principal as a JSON-friendly mapping."""
        return {
            "sub": self.subject,
            "tenant": self.tenant,
            "roles": sorted(self.roles),
            "dept": self.dept,
            "subject_type": self.subject_type,
            "real_name_level": self.real_name_level,
            "name": self.name,
        }

    @classmethod
    def from_claims(cls, claims: dict[str, object]) -> Principal:
        """Build a principal from a mapping made by to_claims (or a token's claims)."""
        roles = claims.get("roles")
        names = roles if isinstance(roles, list | tuple | set | frozenset) else ()  # never a string's letters
        level = claims.get("real_name_level") or 0
        return cls(
            subject=str(claims["sub"]),
            tenant=str(claims.get("tenant") or ""),
            roles=frozenset(str(r) for r in names),
            dept=str(claims.get("dept") or ""),
            subject_type=str(claims.get("subject_type") or ""),
            real_name_level=int(level) if isinstance(level, int | str) else 0,
            name=str(claims.get("name") or ""),
        )


SYSTEM = Principal(subject="system", roles=frozenset({"service"}))
