"""Keycloak realm roles and groups of one user, brought to the desired state (used by keycloak.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakConnectionError, KeycloakError, KeycloakGetError

from ywtb.identity.directory import YWTB_ROLES, AccountRejected, DirectoryUnavailable, is_managed_group

log = logging.getLogger(__name__)
NOT_FOUND, CONFLICT = 404, 409


def converge(
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


def sync_roles(admin: KeycloakAdmin, user_id: str, desired: frozenset[str]) -> None:
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


def sync_groups(admin: KeycloakAdmin, user_id: str, desired: tuple[str, ...]) -> None:
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
