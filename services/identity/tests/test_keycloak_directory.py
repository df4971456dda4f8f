"""The Keycloak directory against the local Keycloak (realm ywtb), and the embedded LocalDirectory."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from keycloak import KeycloakAdmin, KeycloakOpenID
from keycloak.exceptions import KeycloakGetError, KeycloakPostError

from ywtb.common.testing.stack import stack_env, unique_name
from ywtb.identity.directory import (
    Account,
    AccountRejected,
    DirectoryUnavailable,
    LocalDirectory,
    UsernameTaken,
)
from ywtb.identity.keycloak import KeycloakDirectory

CLIENT_ID = "ywtb-identity-admin"
UNUSED_SECRET = "unused"  # for directories that never reach a Keycloak
PASSWORD = "Init-Passw0rd!"
DEPT = "11510104MB3234567X"
OTHER_DEPT = "11510104MB4234567Y"


def staff(root: str, **changes: object) -> Account:
    """A staff account of a test-only tenant tree /tenants/<root>/510104."""
    tenant_path = f"/tenants/{root}/510104"
    account = Account(
        account_id=f"staff-{root}", username=f"u-{root}", name="张三·测试", email=None,
        roles=frozenset({"window_clerk", "approver"}), tenant="510104", dept=DEPT, subject_type="staff",
        real_name_level=0, groups=(tenant_path, f"{tenant_path}/depts/{DEPT}"), password=PASSWORD,
        temporary_password=False,
    )  # fmt: skip
    return replace(account, **changes)  # type: ignore[arg-type]


def claims(jwt: str) -> dict:
    """The payload of a JWT, unverified (the gateway's tests cover signature checks)."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def kc() -> tuple[str, str]:
    return stack_env("YWTB_KEYCLOAK_URL"), stack_env("YWTB_KEYCLOAK_REALM")


@pytest.fixture
def directory(kc: tuple[str, str]) -> KeycloakDirectory:
    return KeycloakDirectory(kc[0], kc[1], CLIENT_ID, stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"))


@pytest.fixture
def admin(kc: tuple[str, str]) -> KeycloakAdmin:
    return KeycloakAdmin(
        server_url=kc[0],
        realm_name=kc[1],
        client_id=CLIENT_ID,
        client_secret_key=stack_env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"),
        timeout=10,
    )


@pytest.fixture
def root(admin: KeycloakAdmin) -> Iterator[str]:
    """A unique name for this test's tenant tree and user; both are deleted afterwards."""
    name = unique_name("zz")
    yield name
    for username in (f"u-{name}", f"u-{name}-2"):
        user_id = admin.get_user_id(username)
        if user_id:
            admin.delete_user(user_id)
    with contextlib.suppress(KeycloakGetError):
        admin.delete_group(admin.get_group_by_path(f"/tenants/{name}")["id"])


def user_state(admin: KeycloakAdmin, user_id: str) -> tuple[dict, set[str], set[str]]:
    user = admin.get_user(user_id)
    roles = {role["name"] for role in admin.get_realm_roles_of_user(user_id)}
    groups = {group["path"] for group in admin.get_user_groups(user_id)}
    return user, roles, groups


@pytest.mark.integration
def test_staff_gets_attributes_roles_groups_and_token_claims(directory, admin, kc, root) -> None:
    account = staff(root)
    user_id = directory.ensure_account(account)

    user, roles, groups = user_state(admin, user_id)
    assert user["enabled"] and user["firstName"] == "张三·测试" and user["requiredActions"] == []
    assert user["attributes"] == {
        "ywtb_account_id": [account.account_id], "tenant": ["510104"], "dept": [DEPT],
        "real_name_level": ["0"], "subject_type": ["staff"],
    }  # fmt: skip
    assert roles == {"window_clerk", "approver", "default-roles-ywtb"}
    assert groups == set(account.groups)

    token = KeycloakOpenID(server_url=kc[0], realm_name=kc[1], client_id="workbench").token(
        account.username, PASSWORD
    )
    access = claims(token["access_token"])
    assert access["tenant"] == "510104" and access["dept"] == DEPT and access["subject_type"] == "staff"
    assert access["real_name_level"] == 0
    assert {"window_clerk", "approver"} <= set(access["roles"])
    assert "ywtb-gateway" in ([access["aud"]] if isinstance(access["aud"], str) else access["aud"])


@pytest.mark.integration
def test_temporary_password_requires_update_before_login(directory, admin, kc, root) -> None:
    account = staff(root, temporary_password=True)
    user_id = directory.ensure_account(account)

    assert admin.get_user(user_id)["requiredActions"] == ["UPDATE_PASSWORD"]
    with pytest.raises(KeycloakPostError, match="not fully set up"):
        KeycloakOpenID(server_url=kc[0], realm_name=kc[1], client_id="workbench").token(
            account.username, PASSWORD
        )


@pytest.mark.integration
def test_ensure_is_idempotent_and_follows_the_desired_state(directory, admin, root) -> None:
    account = staff(root)
    first = directory.ensure_account(account)
    assert directory.ensure_account(account) == first

    tenant_path = f"/tenants/{root}/510104"
    moved = replace(
        account, roles=frozenset({"dept_admin"}), dept=OTHER_DEPT, password=None,
        groups=(tenant_path, f"{tenant_path}/depts/{OTHER_DEPT}"),
    )  # fmt: skip
    assert directory.ensure_account(moved) == first

    user, roles, groups = user_state(admin, first)
    assert roles == {"dept_admin", "default-roles-ywtb"}
    assert groups == set(moved.groups)
    assert user["attributes"]["dept"] == [OTHER_DEPT]
    assert len(admin.get_users({"username": account.username, "exact": True})) == 1


@pytest.mark.integration
def test_adopts_the_user_created_before_a_crash(directory, admin, root) -> None:
    account = staff(root)
    # the earlier attempt created the user, then crashed before roles, groups and the DB commit
    created = admin.create_user(
        {
            "username": account.username,
            "enabled": True,
            "attributes": {"ywtb_account_id": [account.account_id]},
        }
    )

    assert directory.ensure_account(account) == created
    user, roles, groups = user_state(admin, created)
    assert user["attributes"]["tenant"] == ["510104"] and user["firstName"] == account.name
    assert "window_clerk" in roles and groups == set(account.groups)


def ensure_with_retries(directory: KeycloakDirectory, account: Account, attempts: int = 3) -> str:
    """As the provisioning worker does: a transient refusal (a race inside Keycloak) is retried."""
    for attempt in range(attempts):
        try:
            return directory.ensure_account(account)
        except DirectoryUnavailable:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


@pytest.mark.integration
def test_concurrent_attempts_create_one_user(directory, admin, root) -> None:
    account = staff(root)
    for _ in range(5):  # each round races on create (409), role mappings and group membership
        with ThreadPoolExecutor(12) as pool:
            ids = list(pool.map(lambda _: ensure_with_retries(directory, account), range(12)))

        assert len(set(ids)) == 1
        assert len(admin.get_users({"username": account.username, "exact": True})) == 1
        assert user_state(admin, ids[0])[1:] == (
            {"window_clerk", "approver", "default-roles-ywtb"},
            set(account.groups),
        )
        admin.delete_user(ids[0])


@pytest.mark.integration
def test_username_of_another_account_is_taken(directory, admin, root) -> None:
    account = staff(root)
    user_id = directory.ensure_account(account)

    with pytest.raises(UsernameTaken):
        directory.ensure_account(
            replace(account, account_id="someone-else", roles=frozenset({"platform_admin"}))
        )
    with pytest.raises(UsernameTaken):
        directory.disable_account("someone-else", account.username)
    user, roles, _ = user_state(admin, user_id)
    assert user["attributes"]["ywtb_account_id"] == [account.account_id] and "platform_admin" not in roles

    admin.create_user({"username": f"u-{root}-2", "enabled": True})  # made by hand, not by us
    with pytest.raises(UsernameTaken):
        directory.ensure_account(replace(account, username=f"u-{root}-2"))


@pytest.mark.integration
def test_disable_account(directory, admin, root) -> None:
    account = staff(root)
    user_id = directory.ensure_account(account)

    directory.disable_account(account.account_id, account.username)
    directory.disable_account(account.account_id, account.username)
    directory.disable_account("no-such-account", f"u-{root}-2")
    assert admin.get_user(user_id)["enabled"] is False


@pytest.mark.integration
def test_refused_data_is_rejected_not_retried(directory, admin, root) -> None:
    with pytest.raises(AccountRejected):
        directory.ensure_account(staff(root, name="<script>alert(1)</script>"))  # Keycloak answers 400
    with pytest.raises(AccountRejected):
        directory.ensure_account(staff(root, roles=frozenset({"superuser"})))
    assert admin.get_user_id(f"u-{root}") is None


@pytest.mark.integration
def test_recovers_when_the_cached_token_expires_or_is_refused(directory, root) -> None:
    account = staff(root)
    user_id = directory.ensure_account(account)
    connection = directory._admin().connection

    connection.token = {"access_token": "not-a-token", "expires_in": 3600}  # e.g. Keycloak lost its keys
    assert directory.ensure_account(account) == user_id
    connection.token = {"access_token": "not-a-token", "expires_in": 0}  # expired
    assert directory.ensure_account(account) == user_id


@pytest.mark.integration
def test_wrong_client_secret_is_unavailable_until_fixed(kc, root) -> None:
    with pytest.raises(DirectoryUnavailable):
        KeycloakDirectory(kc[0], kc[1], CLIENT_ID, "wrong-secret").ensure_account(staff(root))


def test_unreachable_keycloak_fails_fast() -> None:
    directory = KeycloakDirectory("http://127.0.0.1:1", "ywtb", CLIENT_ID, UNUSED_SECRET, timeout_s=2)
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable):
        directory.ensure_account(staff("zzdown"))
    assert time.monotonic() - started < 2


def test_silent_keycloak_times_out() -> None:
    with socket.socket() as server:  # accepts connections, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        accepted: list[socket.socket] = []
        threading.Thread(
            target=lambda: accepted.extend(server.accept() for _ in range(2)), daemon=True
        ).start()
        directory = KeycloakDirectory(
            f"http://127.0.0.1:{port}", "ywtb", CLIENT_ID, UNUSED_SECRET, timeout_s=1
        )
        started = time.monotonic()
        with pytest.raises(DirectoryUnavailable):
            directory.ensure_account(staff("zzslow"))
        elapsed = time.monotonic() - started
    # one request times out after timeout_s; python-keycloak retries a failed request once
    assert 1 <= elapsed < 2 * 1 + 1


def test_local_directory_needs_no_identity_provider() -> None:
    local = LocalDirectory()
    account = staff("zzlocal")

    assert local.ensure_account(account) == "local:staff-zzlocal"
    assert local.ensure_account(account) == "local:staff-zzlocal"
    local.disable_account(account.account_id, account.username)
    with pytest.raises(AccountRejected):
        local.ensure_account(replace(account, roles=frozenset({"superuser"})))
    with pytest.raises(AccountRejected):
        local.ensure_account(replace(account, groups=("/elsewhere/x",)))
