"""The demo seed: every role has an account that can log in on the embedded default."""

from __future__ import annotations

from ywtb.common.auth.principal import ROLES, Principal
from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.pii import PiiKeys
from ywtb.identity.directory import LocalDirectory
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.seed import demo_accounts, seed_demo
from ywtb.identity.service import IdentityService

GATEWAY = Principal(subject="gateway", roles=frozenset({"service"}))


def test_demo_accounts_cover_every_person_and_staff_role_and_log_in(sqlite_url) -> None:
    upgrade(script_location_of("ywtb.identity"), sqlite_url)
    db, keys = Database(sqlite_url), PiiKeys.from_secret("seed-test-pii-secret-0123456789", "identity")
    service = IdentityService(
        db, Provisioner(db, LocalDirectory(), keys), keys, person_home_tenant="510000", local_passwords=True
    )
    seed_demo(service)
    seed_demo(service)  # idempotent
    roles: set[str] = set()
    for username, password, listed in demo_accounts():
        principal = service.authenticate_password(GATEWAY, username, password)
        assert sorted(principal.roles) == sorted(listed.split(","))
        roles |= principal.roles
    assert roles == ROLES - {"service", "external_system"}
