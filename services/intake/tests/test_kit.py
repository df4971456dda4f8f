"""Intake on the service kit: the one calendar, the deemed-acceptance worker that outlives an error, tenant scope."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import DayOverride, factory, national_calendar
from ywtb.common.db import Database
from ywtb.common.errors import PermissionDenied
from ywtb.common.runtime import Kit
from ywtb.intake.__main__ import SPEC, build
from ywtb.intake.config import IntakeSettings
from ywtb.intake.service import IntakeService
from ywtb.intake.testing import CLERK

from .test_service import _submit

CITY_ADMIN = Principal(subject="s-city-admin", tenant="510100", roles=frozenset({"tenant_admin"}))
SIBLING_ADMIN = Principal(subject="s-105-admin", tenant="510105", roles=frozenset({"tenant_admin"}))
CITY_CLERK = Principal(subject="s-city-clerk", tenant="510100", roles=frozenset({"window_clerk"}), dept="x")


def test_intake_counts_with_the_national_calendar_and_its_override_table(
    service: IntakeService, monkeypatch
) -> None:
    assert service.calendar is national_calendar()
    # A local rest day on Wed 30 Sep 2026 (test data) moves the promised date by one working day.
    rest = DayOverride(date(2026, 9, 30), False, "测试调整", tenant=None)
    factory.national_calendar.cache_clear()
    monkeypatch.setattr(factory, "load_override_file", lambda path=None: [rest])
    try:
        shifted = IntakeService(
            service.db,
            service.catalog,
            service.identity,
            service.storage,
            pii_secret="p" * 32,
            clock=service.clock,
        )
        case, _ = _submit(shifted)
        assert shifted.accept(CLERK, case.case_no).promised_date.isoformat() == "2026-10-13"
    finally:
        factory.national_calendar.cache_clear()


def test_deemed_acceptance_worker_survives_a_database_error(sqlite_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = IntakeSettings(
        internal_signing_key="s" * 32, pii_key="p" * 32, data_dir=tmp_path, deemed_acceptance_interval_s=0.01
    )
    stop = threading.Event()
    rounds: list[int] = []

    def deem_overdue(self: IntakeService) -> list[str]:
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))
        stop.set()
        return []

    monkeypatch.setattr(IntakeService, "deem_overdue", deem_overdue)
    parts = build(Kit(SPEC, settings, Database(sqlite_url)))
    worker = threading.Thread(target=parts.workers["deemed-acceptance"], args=(stop,))
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and len(rounds) == 2


def test_a_city_tenant_admin_reads_its_counties_cases_not_a_siblings(service: IntakeService) -> None:
    case, _ = _submit(service)
    assert service.get_case(CITY_ADMIN, case.case_no).case_no == case.case_no
    assert [c.case_no for c in service.list_cases(CITY_ADMIN, "510104")] == [case.case_no]
    for outsider in (SIBLING_ADMIN, CITY_CLERK):
        with pytest.raises(PermissionDenied):
            service.get_case(outsider, case.case_no)
        with pytest.raises(PermissionDenied):
            service.list_cases(outsider, "510104")
    with pytest.raises(PermissionDenied):  # supervision reads; accepting stays with the department's clerks
        service.accept(CITY_ADMIN, case.case_no)


def test_the_queue_is_a_clerks_own_department_and_a_clerk_without_one_reads_none(
    service: IntakeService,
) -> None:
    case, _ = _submit(service)
    assert [c.case_no for c in service.list_cases(CLERK, "510104")] == [case.case_no]
    no_dept = Principal(subject="s-nodept", tenant="510104", roles=frozenset({"window_clerk"}), dept="")
    with pytest.raises(PermissionDenied):  # not "every department of the tenant"
        service.list_cases(no_dept, "510104")
    with pytest.raises(PermissionDenied):
        service.list_cases(CLERK, "510104", dept="another-dept")
