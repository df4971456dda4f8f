"""The portal's roles and tenant scope come from ywtb.common.tenancy (one set of names, one scope rule)."""

from __future__ import annotations

from ywtb.common import tenancy
from ywtb.common.auth.principal import ROLES
from ywtb.portal import roles
from ywtb.portal.routes.admin_common import governs, tenant_in_view

CITY_ADMIN = {"subject": "s-1", "tenant": "510100", "roles": ["tenant_admin"]}


def test_every_portal_role_is_a_tenancy_role() -> None:
    for name in ("STAFF_ROLES", "WORKBENCH_ROLES", "QUEUE_ROLES", "ADMIN_ROLES", "TENANT_ADMIN_ROLES"):
        assert set(getattr(roles, name)) <= set(tenancy.ALL_ROLES), name
    assert roles.STAFF_ROLE_NAMES == tenancy.STAFF_ROLES
    assert set(tenancy.ALL_ROLES) == ROLES


def test_a_city_admin_governs_its_counties_not_a_sibling_and_the_platform_admin_every_tenant() -> None:
    assert governs(CITY_ADMIN, "510100") and governs(CITY_ADMIN, "510104")
    assert not governs(CITY_ADMIN, "510700") and not governs(CITY_ADMIN, "510000")
    assert governs({"subject": "p", "roles": ["platform_admin"]}, "440300")
    assert not governs({"subject": "x", "tenant": "", "roles": ["tenant_admin"]}, "510104")
    assert tenant_in_view(CITY_ADMIN, "510104") == "510104"
    assert tenant_in_view(CITY_ADMIN, "510700") == "510100"
