"""The case-event builders: one envelope (case number, tenant, department, item), keyed by the case number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ywtb.api.approval.v1 import approval_pb2, events_pb2
from ywtb.approval import events
from ywtb.approval.models import ClockStopRow, Instance, Task

NOW = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)
INSTANCE = Instance(case_no="510104-20260928-000001", tenant="510104", dept="D-LEAD", item_id="ITEM-1")
FACTS = approval_pb2.DeadlineFacts(promised_days=5)
STOP = ClockStopRow(kind="听证", reason="申请人要求听证", started_at=NOW, ended_at=None, result="听证结束")


def every_builder() -> list:  # type: ignore[type-arg]
    task = Task(step="review", title="审查", dept="D-BRANCH", item_code="B-1", started_at=NOW)
    return [
        events.case_step_completed(
            INSTANCE, task, actor_name="王审批", opinion="同意", decision="approve", completed_at=NOW,
            step_deadline=NOW, on_time=True, seq=1, facts=FACTS,
        ),
        events.case_approved(INSTANCE, NOW, FACTS, deemed=False),
        events.case_denied(INSTANCE, "缺少材料", NOW, FACTS),
        events.case_completed(INSTANCE, "deny", NOW, False, FACTS),
        events.case_suspended(INSTANCE, STOP, FACTS),
        events.case_resumed(INSTANCE, STOP, FACTS),
        events.case_deadline_extended(INSTANCE, "情况复杂", FACTS),
    ]  # fmt: skip


def test_every_case_event_carries_the_case_envelope_and_its_deadline_facts() -> None:
    for message in every_builder():
        assert (message.case_no, message.tenant) == (INSTANCE.case_no, INSTANCE.tenant), type(message)
        assert message.deadline == FACTS, type(message)
        if hasattr(message, "item_id"):
            assert message.item_id == INSTANCE.item_id, type(message)
    step, *case_events = every_builder()
    assert step.dept == "D-BRANCH"  # a step is in the department of its task (一件事 branch)
    assert step.actor == "王**" and step.decision == approval_pb2.DECISION_APPROVE
    assert {message.dept for message in case_events} == {"D-LEAD"}
    completed = case_events[2]
    assert isinstance(completed, events_pb2.CaseCompleted) and completed.outcome == approval_pb2.DECISION_DENY
    assert case_events[4].result == "听证结束"


def test_stage_keys_each_event_by_its_case_number_in_its_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    staged: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        events,
        "publish",
        lambda session, message, *, key, tenant: staged.append((type(message).__name__, key, tenant)),
    )
    for message in every_builder():
        events.stage(object(), message)  # type: ignore[arg-type]
    assert {(key, tenant) for _, key, tenant in staged} == {(INSTANCE.case_no, INSTANCE.tenant)}
    assert len(staged) == 7
