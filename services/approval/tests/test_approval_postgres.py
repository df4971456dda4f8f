"""Approval on PostgreSQL: the happy path, a concurrent completion, and a completion killed before commit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location("approval_unit", Path(__file__).with_name("test_service.py"))
assert _spec is not None and _spec.loader is not None
unit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unit)


@pytest.fixture
def world(postgres_url, tmp_path):  # type: ignore[no-untyped-def]
    w = unit.World(postgres_url, str(tmp_path / "events.db"))
    yield w
    w.bus.close()
    w.db.dispose()


def test_happy_path_on_postgres(world) -> None:  # type: ignore[no-untyped-def]
    case = "510104-20260928-100001"
    world.accept(case)
    world.accept(case)  # redelivered under a new event id: still one workflow
    world.do(case, "accept", unit.CLERK)
    world.do(case, "review", unit.APPROVER)
    world.do(case, "decide", unit.APPROVER, "approve")
    world.do(case, "complete", unit.CLERK)
    assert world.events(case) == [
        "CaseStepCompleted",
        "CaseStepCompleted",
        "CaseStepCompleted",
        "CaseApproved",
        "CaseStepCompleted",
        "CaseCompleted",
    ]
    assert world.count(unit.Instance) == 1
    assert (
        world.payloads(case, "CaseCompleted")[0]["deadline"]["caseDeadline"] == "2026-10-10T15:59:59.999999Z"
    )


def test_concurrent_completion_on_postgres(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case = "510104-20260928-100002"
    errors = unit.race_two_completions(world, monkeypatch, case)
    assert "刚被其他人员办理" in errors[0].message
    assert world.count(unit.Step, case_no=case) == 1
    assert world.events(case) == ["CaseStepCompleted"]


def test_crash_before_commit_on_postgres(world, postgres_url) -> None:  # type: ignore[no-untyped-def]
    world.accept("510104-20260928-100003")
    unit.crash_then_complete_again(world, postgres_url, "510104-20260928-100003")
