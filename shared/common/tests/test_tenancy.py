"""Tenant scope: own tenant and department, upward supervision (a city sees its counties), never sideways."""

from __future__ import annotations

import pytest

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal

CITY, COUNTY, SIBLING, PROVINCE = "510100", "510104", "510105", "510000"
DEPT = "11510104MB3234567X"


def who(role: str, tenant: str, dept: str = "") -> Principal:
    return Principal(subject=f"{role}@{tenant}", tenant=tenant, roles=frozenset({role}), dept=dept)


@pytest.mark.parametrize("role", tenancy.SUPERVISING_ROLES)
@pytest.mark.parametrize("tenant", [CITY, PROVINCE])
def test_upward_supervision_city_and_province_see_the_county(role: str, tenant: str) -> None:
    assert tenancy.supervises(who(role, tenant), COUNTY)


@pytest.mark.parametrize("role", tenancy.SUPERVISING_ROLES)
@pytest.mark.parametrize(
    ("tenant", "data_of"),
    [(COUNTY, CITY), (SIBLING, COUNTY), (COUNTY, PROVINCE), ("440100", COUNTY), ("", COUNTY), (CITY, "bad")],
)
def test_supervision_is_refused_downward_up_sideways_and_elsewhere(
    role: str, tenant: str, data_of: str
) -> None:
    assert not tenancy.supervises(who(role, tenant), data_of)


@pytest.mark.parametrize("role", ["window_clerk", "approver", "dept_admin", "citizen"])
def test_other_roles_do_not_supervise_their_counties(role: str) -> None:
    assert not tenancy.supervises(who(role, CITY), COUNTY)
    assert tenancy.supervises(who("platform_admin", ""), COUNTY)


def test_administration_goes_downward_from_a_tenant_admin_only() -> None:
    assert tenancy.administers(who("tenant_admin", CITY), COUNTY)
    assert tenancy.administers(who("tenant_admin", COUNTY), COUNTY)
    assert not tenancy.administers(who("tenant_admin", COUNTY), CITY)
    assert not tenancy.administers(who("supervisor", CITY), COUNTY)


def test_department_staff_is_exactly_this_tenant_and_department() -> None:
    clerk = who("window_clerk", COUNTY, DEPT)
    assert tenancy.is_department_staff(clerk, COUNTY, DEPT, tenancy.CASE_HANDLER_ROLES)
    assert not tenancy.is_department_staff(clerk, COUNTY, "other", tenancy.CASE_HANDLER_ROLES)
    assert not tenancy.is_department_staff(clerk, SIBLING, DEPT, tenancy.CASE_HANDLER_ROLES)
    assert not tenancy.is_department_staff(who("window_clerk", CITY, DEPT), COUNTY, DEPT)
    assert not tenancy.is_department_staff(who("window_clerk", COUNTY, ""), COUNTY, "")
    assert tenancy.is_staff_of_any(clerk, COUNTY, ["x", DEPT])


def test_lineage_is_structural() -> None:
    assert tenancy.lineage(COUNTY) == [COUNTY, CITY, PROVINCE]
    assert tenancy.lineage("51x") == []
