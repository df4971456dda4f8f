"""The licence type catalogue on SQLite: who may define, the codes, validation and the event staged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.models import AUTOMATIC, MANUAL, outbox

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
DEPT = "11510104MB2C394793"
OTHER_DEPT = "11510105MB1D571236"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
OTHER_ADMIN = Principal(subject="admin-2", tenant="510105", dept=OTHER_DEPT, roles=frozenset({"dept_admin"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))
BUSINESS_LICENCE = LicenceTypeDraft(
    name=" 营业执照 ",
    fields=(("business_scope", "经营范围", True), ("capital", "注册资本", False)),
    validity_months=0,
    template_title="",
    issue_mode=AUTOMATIC,
)


@pytest.fixture
def types(sqlite_url: str) -> LicenceTypes:
    upgrade(script_location_of("ywtb.licence"), sqlite_url)
    return LicenceTypes(Database(sqlite_url), clock=lambda: NOW)


def test_a_department_admin_defines_types_coded_by_its_credit_code_and_sequence(types: LicenceTypes) -> None:
    first = types.define(ADMIN, BUSINESS_LICENCE)
    second = types.define(ADMIN, LicenceTypeDraft("食品经营许可证", (), 60, "", MANUAL))
    assert (first.code, first.name, first.template_title) == (f"{DEPT}001", "营业执照", "营业执照")
    assert (second.code, second.validity_months, second.issue_mode) == (f"{DEPT}002", 60, MANUAL)
    assert types.define(OTHER_ADMIN, BUSINESS_LICENCE).code == f"{OTHER_DEPT}001"
    with types.db.transaction() as session:
        rows = session.execute(
            select(outbox.c.topic, outbox.c.key, outbox.c.ce_type, outbox.c.payload).order_by(outbox.c.seq)
        ).all()
    assert [(r.topic, r.key) for r in rows][:2] == [
        ("ywtb.licence.licence.v1", f"{DEPT}001"),
        ("ywtb.licence.licence.v1", f"{DEPT}002"),
    ]
    assert rows[0].ce_type == "ywtb.licence.v1.LicenceTypeDefined"
    assert json.loads(rows[0].payload)["name"] == "营业执照"


def test_only_department_admins_define(types: LicenceTypes) -> None:
    with pytest.raises(PermissionDenied):
        types.define(CLERK, BUSINESS_LICENCE)


def test_a_name_twice_in_one_department_is_refused_and_nothing_is_staged(types: LicenceTypes) -> None:
    types.define(ADMIN, BUSINESS_LICENCE)
    with pytest.raises(AlreadyExists) as caught:
        types.define(ADMIN, BUSINESS_LICENCE)
    assert caught.value.code == "LICENCE_TYPE_EXISTS"
    with types.db.transaction() as session:
        assert len(session.execute(select(outbox.c.seq)).all()) == 1


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (LicenceTypeDraft("证", (), 0, "", AUTOMATIC), "name"),
        (LicenceTypeDraft("营业执照", (("Scope", "经营范围", True),), 0, "", AUTOMATIC), "fields.0.key"),
        (
            LicenceTypeDraft(
                "营业执照", (("scope", "经营范围", True), ("scope", "范围", False)), 0, "", AUTOMATIC
            ),
            "fields.1.key",
        ),
        (LicenceTypeDraft("营业执照", (("scope", " ", True),), 0, "", AUTOMATIC), "fields.0.label"),
        (LicenceTypeDraft("营业执照", (), 1201, "", AUTOMATIC), "validity_months"),
        (LicenceTypeDraft("营业执照", (), -1, "", AUTOMATIC), "validity_months"),
        (LicenceTypeDraft("营业执照", (), 0, "题" * 51, AUTOMATIC), "template_title"),
        (LicenceTypeDraft("营业执照", (), 0, "", ""), "issue_mode"),
    ],
)
def test_malformed_types_are_refused_naming_the_field(
    types: LicenceTypes, draft: LicenceTypeDraft, field: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        types.define(ADMIN, draft)
    assert (caught.value.code, list(caught.value.fields)) == ("LICENCE_TYPE_INVALID", [field])
    assert types.list("510104") == []


def test_read_by_code_and_list_by_tenant_and_department(types: LicenceTypes) -> None:
    defined = types.define(ADMIN, BUSINESS_LICENCE)
    types.define(OTHER_ADMIN, BUSINESS_LICENCE)
    assert types.get(defined.code.lower()).name == "营业执照"
    assert [t.code for t in types.list("510104")] == [defined.code]
    assert types.list("510104", OTHER_DEPT) == []
    with pytest.raises(NotFound):
        types.get(f"{DEPT}009")
    for malformed in ("", f"{DEPT}01", f"{DEPT[:-1]}0001", "X" * 21):
        with pytest.raises(InvalidArgument):
            types.get(malformed)
    with pytest.raises(InvalidArgument):
        types.list("51010")
