"""The Keycloak directory: provisions accounts as users of the realm through its admin REST API.

Authenticates as the confidential client (client-credentials grant against the realm itself;
its service account holds realm-management manage-users / view-users / query-groups). The
admin token is cached per thread by python-keycloak, renewed near expiry and fetched again on
a 401 (Keycloak restarted, keys rotated). Every call is idempotent: the user is found by
username and adopted when its `ywtb_account_id` attribute is ours.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakConnectionError, KeycloakError, KeycloakGetError

from ywtb.identity.directory import (
    YWTB_ROLES,
    Account,
    AccountRejected,
    DirectoryUnavailable,
    UsernameTaken,
    is_managed_group,
    validate,
)

log = logging.getLogger(__name__)
ACCOUNT_ID = "ywtb_account_id"
OUR_ATTRIBUTES = (ACCOUNT_ID, "tenant", "dept", "real_name_level", "subject_type")
BAD_REQUEST, NOT_FOUND, CONFLICT = 400, 404, 409


class KeycloakDirectory:
    """Directory backed by one Keycloak realm."""

    def __init__(
        self, server_url: str, realm: str, client_id: str, client_secret: str, *, timeout_s: float = 5
    ) -> None:
        self._options = {
            "server_url": server_url.rstrip("/") + "/",
            "realm_name": realm,
            "client_id": client_id,
            "client_secret_key": client_secret,
            "timeout": timeout_s,  # per HTTP request; python-keycloak retries a failed connection once
        }
        self._local = threading.local()  # KeycloakAdmin (its session and token) is not shared across threads

    def ensure_account(self, account: Account) -> str:
        """Create or adopt the user, then make its attributes, realm roles and managed groups exact."""
        validate(account)
        with _translated():
            admin = self._admin()
            user = _find_user(admin, account.username)
            if user is None:
                user_id = _create_user(admin, account)
                if user_id is None:  # someone created it at the same moment (409): look again
                    user = _find_user(admin, account.username)
                    if user is None:
                        raise AccountRejected(
                            f"Keycloak reports a conflict for {account.username!r} but has no such user"
                        )
            if user is not None:
                _check_owner(user, account.account_id)
                user_id = user["id"]
                _update_user(admin, user, account)
            _converge(_sync_roles, admin, user_id, account.roles)
            _converge(_sync_groups, admin, user_id, account.groups)
            return user_id

    def disable_account(self, account_id: str, username: str) -> None:
        """Disable the user and end its sessions; a missing user is already disabled enough."""
        with _translated():
            admin = self._admin()
            user = _find_user(admin, username)
            if user is None:
                return
            _check_owner(user, account_id)
            if user.get("enabled"):
                admin.update_user(user["id"], {**user, "enabled": False})
            admin.user_logout(user["id"])

    def _admin(self) -> KeycloakAdmin:
        admin = getattr(self._local, "admin", None)
        if admin is None:
            admin = self._local.admin = KeycloakAdmin(**self._options)  # no request until first use
        return admin


@contextmanager
def _translated() -> Iterator[None]:
    """python-keycloak errors -> DirectoryUnavailable: worth a retry later (400 on the user is handled where it occurs)."""
    try:
        yield
    except KeycloakConnectionError as exc:
        raise DirectoryUnavailable(f"Keycloak unreachable: {exc.__cause__ or exc}") from exc
    except KeycloakError as exc:
        # 5xx and 429: Keycloak is struggling; 401/403: our client secret or its roles are wrong
        # (an operator fixes the realm, then the retry succeeds); 404: something vanished meanwhile.
        raise DirectoryUnavailable(f"Keycloak answered {exc}") from exc


@contextmanager
def _user_data_checked(username: str) -> Iterator[None]:
    """A 400 on creating or updating the user: Keycloak refuses the data (user profile validation)."""
    try:
        yield
    except KeycloakError as exc:
        if exc.response_code == BAD_REQUEST:
            raise AccountRejected(f"Keycloak refused user {username!r}: {exc}") from exc
        raise


def _converge(
    sync: Callable[[KeycloakAdmin, str, Any], None], admin: KeycloakAdmin, user_id: str, desired: Any
) -> None:
    """Run a sync step; once more if it failed, since a concurrent attempt may have made the same change."""
    try:
        sync(admin, user_id, desired)
    except KeycloakConnectionError:
        raise
    except KeycloakError as exc:
        log.info("retrying %s for user %s after %s", sync.__name__, user_id, exc)
        sync(admin, user_id, desired)


def _find_user(admin: KeycloakAdmin, username: str) -> dict | None:
    """The user with exactly this username (Keycloak stores usernames in lower case), or None."""
    wanted = username.lower()
    users = admin.get_users({"username": wanted, "exact": True})
    return next((u for u in users if u.get("username") == wanted), None)


def _check_owner(user: dict, account_id: str) -> None:
    if (user.get("attributes") or {}).get(ACCOUNT_ID) != [account_id]:
        raise UsernameTaken(f"username {user.get('username')!r} belongs to another account")


def _attributes(account: Account) -> dict[str, list[str]]:
    attributes = {
        ACCOUNT_ID: [account.account_id],
        "tenant": [account.tenant],
        "dept": [account.dept],
        "real_name_level": [str(account.real_name_level)],
        "subject_type": [account.subject_type],
    }
    return {name: values for name, values in attributes.items() if values != [""]}  # persons have no dept


def _create_user(admin: KeycloakAdmin, account: Account) -> str | None:
    """Create the user with its password; None when it already exists (a concurrent creation)."""
    payload: dict = {
        "username": account.username,
        "enabled": True,
        "firstName": account.name,
        "attributes": _attributes(account),
    }
    if account.email is not None:
        payload["email"] = account.email
    if account.password is not None:
        payload["credentials"] = [
            {"type": "password", "value": account.password, "temporary": account.temporary_password}
        ]
        if account.temporary_password:
            payload["requiredActions"] = ["UPDATE_PASSWORD"]
    try:
        with _user_data_checked(account.username):
            user_id = admin.create_user(payload)
    except KeycloakError as exc:
        if exc.response_code == CONFLICT:
            return None
        raise
    log.info("created Keycloak user %s for account %s", user_id, account.account_id)
    return user_id


def _update_user(admin: KeycloakAdmin, user: dict, account: Account) -> None:
    """Adopt an existing user of ours: name, email, enabled and our attributes (the password is kept)."""
    others = {k: v for k, v in (user.get("attributes") or {}).items() if k not in OUR_ATTRIBUTES}
    desired = {
        **user,
        "enabled": True,
        "firstName": account.name,
        "attributes": {**others, **_attributes(account)},
    }
    if account.email is not None:
        desired["email"] = account.email.lower()
    if desired != user:
        with _user_data_checked(account.username):
            admin.update_user(user["id"], desired)
        log.info("updated Keycloak user %s for account %s", user["id"], account.account_id)


def _sync_roles(admin: KeycloakAdmin, user_id: str, desired: frozenset[str]) -> None:
    """Realm roles among YWTB_ROLES become exactly `desired`; other roles (default-roles-*) stay."""
    current = {role["name"]: role for role in admin.get_realm_roles_of_user(user_id)}
    missing = sorted(desired - current.keys())
    extra = [role for name, role in current.items() if name in YWTB_ROLES and name not in desired]
    if missing:
        admin.assign_realm_roles(user_id, [_realm_role(admin, name) for name in missing])
    if extra:
        admin.delete_realm_roles_of_user(user_id, extra)


def _realm_role(admin: KeycloakAdmin, name: str) -> dict:
    try:
        return admin.get_realm_role(name)
    except KeycloakGetError as exc:
        if exc.response_code == NOT_FOUND:
            raise AccountRejected(f"realm role {name!r} is not defined in Keycloak") from exc
        raise


def _sync_groups(admin: KeycloakAdmin, user_id: str, desired: tuple[str, ...]) -> None:
    """Membership in the managed group trees becomes exactly `desired`; other groups stay."""
    current = {group["path"]: group["id"] for group in admin.get_user_groups(user_id)}
    for path in desired:
        if path not in current:
            admin.group_user_add(user_id, _group_id(admin, path))
    for path, group_id in current.items():
        if is_managed_group(path) and path not in desired:
            admin.group_user_remove(user_id, group_id)


def _group_id(admin: KeycloakAdmin, path: str) -> str:
    """The id of the group at `path`, creating it and its missing parents (races end in a re-lookup)."""
    found = _group_by_path(admin, path)
    if found is not None:
        return found
    parent_id: str | None = None
    prefix = ""
    for name in path.strip("/").split("/"):
        prefix += "/" + name
        group_id = _group_by_path(admin, prefix)
        if group_id is None:
            try:
                group_id = admin.create_group({"name": name}, parent=parent_id)
            except KeycloakError as exc:
                if exc.response_code != CONFLICT:
                    raise
                group_id = _group_by_path(admin, prefix)
            if group_id is None:
                raise DirectoryUnavailable(f"group {prefix} could not be created or found")
        parent_id = group_id
    assert parent_id is not None
    return parent_id


def _group_by_path(admin: KeycloakAdmin, path: str) -> str | None:
    try:
        return admin.get_group_by_path(path)["id"]
    except KeycloakGetError as exc:
        if exc.response_code == NOT_FOUND:
            return None
        raise
