"""Demo licence types (SAMPLE DATA) for `make run` / `make up`: the results of the sample catalogue's
market-regulation items, so a demo case ends in an e-licence. Safe to run on every start."""

from __future__ import annotations

import logging

from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.errors import AlreadyExists
from ywtb.common.tenancy import DEPT_ADMIN
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.models import AUTOMATIC, MANUAL

log = logging.getLogger(__name__)

# (tenant, 17-character prefix of the defining department's credit code), as identity's demo seed.
DEPARTMENTS = [("510104", "11510104MB3234567"), ("510105", "11510105MB6234567")]
POLICE = (
    "510104",
    "11510104MB1023456",
)  # 锦江公安分局: the result of 临时居民身份证申领 (issued once its fee is paid)
TYPES = [
    LicenceTypeDraft(
        name="营业执照",
        fields=(
            ("trade_name", "名称", False),
            ("business_scope", "经营范围", True),
            ("business_address", "经营场所", True),
        ),
        validity_months=0,
        template_title="营业执照",
        issue_mode=AUTOMATIC,
    ),
    LicenceTypeDraft(
        name="食品经营许可证",
        fields=(("business_items", "经营项目", True), ("business_address", "经营场所", True)),
        validity_months=60,
        template_title="食品经营许可证",
        issue_mode=MANUAL,
    ),
]


TEMPORARY_ID = LicenceTypeDraft(
    name="临时居民身份证",
    fields=(),
    validity_months=3,
    template_title="临时居民身份证",
    issue_mode=AUTOMATIC,
)


def seed_demo(types: LicenceTypes) -> None:
    """Define the demo types of each demo department that does not have them yet."""
    plan = [(d, draft) for d in DEPARTMENTS for draft in TYPES] + [(POLICE, TEMPORARY_ID)]
    for (tenant, prefix), draft in plan:
        dept = make_credit_code(prefix)
        admin = Principal(subject="demo-seed", tenant=tenant, dept=dept, roles=frozenset({DEPT_ADMIN}))
        try:
            types.define(admin, draft)
        except AlreadyExists:
            continue
    log.info("demo licence types ready for %d departments", len(DEPARTMENTS) + 1)
