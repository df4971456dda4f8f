"""The directory: where accounts must exist so that people can log in (Keycloak, or nothing extra).

The identity database is the source of truth. The provisioning worker calls `ensure_account`
until it succeeds; every implementation is idempotent and adopts a user it created on an
earlier attempt (the account is recognised by the user attribute `ywtb_account_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

YWTB_ROLES = frozenset({
    "citizen", "legal_person_agent", "window_clerk", "approver", "dept_admin",
    "tenant_admin", "supervisor", "platform_admin", "external_system",
})  # fmt: skip
"""The realm roles the identity service manages; other roles of a user (default-roles-ywtb) are left alone."""

MANAGED_GROUP_ROOTS = ("/tenants", "/persons")
"""Group trees the identity service manages: a user's membership there is made exactly `Account.groups`."""

SUBJECT_TYPES = frozenset({"staff", "person"})
_GROUP_PATH = re.compile(r"(/[^/\s#?%]+)+")


def is_managed_group(path: str) -> bool:
    """Whether a group path lies in one of the trees the identity service manages."""
    return any(path == root or path.startswith(root + "/") for root in MANAGED_GROUP_ROOTS)


@dataclass(frozen=True)
class Account:
    """What the identity provider must hold for one account (the desired state)."""

    account_id: str  # our stable id (staff id or person id), stored as user attribute ywtb_account_id
    username: str
    name: str
    email: str | None  # None: leave the provider's email as it is
    roles: frozenset[str]  # realm roles, a subset of YWTB_ROLES
    tenant: str
    dept: str  # "" for persons
    subject_type: str  # "staff" | "person"
    real_name_level: int
    groups: tuple[str, ...]  # group paths, e.g. ("/tenants/510000/510100/510104", ".../depts/<credit code>")
    password: str | None  # initial password, set only when the user is created
    temporary_password: bool  # True: the UPDATE_PASSWORD required action is set at creation


class DirectoryError(Exception):
    """Base of every directory failure."""


class UsernameTaken(DirectoryError):
    """The username belongs to a user with another (or no) ywtb_account_id: permanent, do not retry."""


class DirectoryUnavailable(DirectoryError):
    """Timeout, connection refused, 5xx, or the directory refused our own credentials: retry later."""


class AccountRejected(DirectoryError):
    """The directory refuses the account's data (unknown role, invalid name or group path): permanent."""


class Directory(Protocol):
    """The identity provider as the identity service sees it."""

    def ensure_account(self, account: Account) -> str:
        """Create or adopt the account and bring it to the desired state; idempotent; the provider's user id."""
        ...

    def disable_account(self, account_id: str, username: str) -> None:
        """Disable the account's user and end its sessions; nothing to do when it does not exist."""
        ...


def validate(account: Account) -> None:
    """The checks every directory applies before touching anything (so embedded and Keycloak agree)."""
    unknown = account.roles - YWTB_ROLES
    if unknown:
        raise AccountRejected(f"unknown roles {sorted(unknown)}")
    if account.subject_type not in SUBJECT_TYPES:
        raise AccountRejected(f"unknown subject_type {account.subject_type!r}")
    bad = [g for g in account.groups if not (_GROUP_PATH.fullmatch(g) and is_managed_group(g))]
    if bad:
        raise AccountRejected(f"group paths outside {MANAGED_GROUP_ROOTS} or malformed: {bad}")
    if not account.username or not account.account_id:
        raise AccountRejected("username and account_id are required")


class LocalDirectory:
    """The embedded default: no external identity provider.

    Under `make run` the built-in token issuer authenticates against the identity database
    directly (passwords hashed there, roles and groups read from there), so there is nothing to
    provision: ensure_account only validates and returns "local:<account_id>", and
    disable_account does nothing (the issuer reads the account's status from the database).
    """

    def ensure_account(self, account: Account) -> str:
        """Validate the account; the user id is derived from our own id."""
        validate(account)
        return f"local:{account.account_id}"

    def disable_account(self, account_id: str, username: str) -> None:
        """Nothing to do: the built-in issuer refuses disabled accounts from the database."""
