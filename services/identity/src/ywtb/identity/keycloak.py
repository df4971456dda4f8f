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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakConnectionError, KeycloakError

from ywtb.identity.directory import Account, AccountRejected, DirectoryUnavailable, UsernameTaken, validate
from ywtb.identity.keycloak_sync import CONFLICT, converge, sync_groups, sync_roles

log = logging.getLogger(__name__)
ACCOUNT_ID = "ywtb_account_id"
OUR_ATTRIBUTES = (ACCOUNT_ID, "tenant", "dept", "real_name_level", "subject_type")
BAD_REQUEST = 400


class KeycloakDirectory:
    """Directory backed by one Keycloak realm."""

    def __init__(
        self, server_url: str, realm: str, client_id: str, client_secret: str, *, timeout_s: float = 5
    ) -> None:
        self._options: dict[str, Any] = {
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
            if not user_id:
                raise AccountRejected(f"Keycloak returned no id for {account.username!r}")
            converge(sync_roles, admin, user_id, account.roles)
            converge(sync_groups, admin, user_id, account.groups)
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
