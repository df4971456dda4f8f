"""Workflow engine: the BPMN processes run to approval and denial, state survives JSON, steps are idempotent."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import SpiffWorkflow.task as spiff_task

from ywtb.approval.engine import WorkflowEngine, WorkflowState
from ywtb.approval.library import ProcessLibrary
from ywtb.common.errors import ConfigError, FailedPrecondition, InvalidArgument, NotFound

CASE = {"case_no": "510100-20260928-000001", "dept": "D-LEAD"}
ITEMS = [
    {"code": "ITEM-A", "dept": "D-MARKET", "name": "营业执照"},
    {"code": "ITEM-B", "dept": "D-HEALTH", "name": "卫生许可"},
    {"code": "ITEM-C", "dept": "D-FIRE", "name": "消防检查"},
]


@pytest.fixture(scope="module")
def engine() -> WorkflowEngine:
    return WorkflowEngine()


def stored(state: WorkflowState) -> str:
    """What the service keeps in its database: only the JSON text."""
    text = state.json
    assert isinstance(text, str)
    json.loads(text)
    return text


def step(
    engine: WorkflowEngine, text: str, name: str, *, item: str | None = None, decision: str | None = None
) -> str:
    """Complete the ready step `name` (of bundle item `item`) from stored text; return the new stored text."""
    ready = [t for t in engine.ready_tasks(text) if t.name == name and t.item_code == item]
    assert len(ready) == 1, f"{name}@{item} not ready; ready: {engine.load(text).ready}"
    opinion = "材料齐全，符合法定条件" if decision != "deny" else "不符合法定条件：缺少消防验收意见"
    new = engine.complete(text, ready[0].task_id, actor="staff-1", opinion=opinion, decision=decision)
    reloaded = engine.load(stored(new))
    assert reloaded == new, "summary read back from JSON differs from the returned one"
    return stored(new)


def spec_task_ids(text: str, spec_name: str) -> list[str]:
    """Ids of the tasks of a BPMN element in a stored state, whatever their state (incl. future ones)."""
    workflow = json.loads(text)["workflow"]
    trees = [workflow["tasks"], *(sub["tasks"] for sub in workflow.get("subprocesses", {}).values())]
    return [tid for tasks in trees for tid, task in tasks.items() if task["task_spec"] == spec_name]


# --- definitions ---------------------------------------------------------------------------


def test_library_parses_every_process_file(engine: WorkflowEngine) -> None:
    assert engine.library.names() == ["instant-default", "joint-default", "promised-default"]
    assert engine.library.spec("joint-default").branches_over_items
    assert not engine.library.spec("promised-default").branches_over_items
    with pytest.raises(NotFound) as err:
        engine.library.spec("no-such-process")
    assert "未找到审批流程" in err.value.message


def test_user_task_without_lane_is_rejected(tmp_path: Path) -> None:
    source = (ProcessLibrary().directory / "instant-default.bpmn").read_text(encoding="utf-8")
    (tmp_path / "broken.bpmn").write_text(
        source.replace("<bpmn:flowNodeRef>accept_and_decide</bpmn:flowNodeRef>", ""), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        ProcessLibrary(tmp_path)
    assert "accept_and_decide" in err.value.message


# --- instant ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("decision", "outcome"), [("approve", "approved"), ("deny", "denied")])
def test_instant_decides_in_one_step(engine: WorkflowEngine, decision: str, outcome: str) -> None:
    text = stored(engine.start("instant-default", CASE))
    [task] = engine.ready_tasks(text)
    assert (task.name, task.title, task.candidate_role, task.dept) == (
        "accept_and_decide",
        "受理并决定",
        "window_clerk",
        "D-LEAD",
    )
    assert task.decision_required and task.step_days == 0
    text = step(engine, text, "accept_and_decide", decision=decision)
    assert engine.is_completed(text)
    assert engine.outcome(text) == outcome
    assert engine.ready_tasks(text) == []


# --- promised --------------------------------------------------------------------------------


def test_promised_runs_four_steps_in_order_to_approval(engine: WorkflowEngine) -> None:
    text = stored(engine.start("promised-default", CASE))
    seen = []
    for name, decision in [("accept", None), ("review", None), ("decide", "approve"), ("complete", None)]:
        [task] = engine.ready_tasks(text)
        seen.append((task.name, task.title, task.candidate_role, task.dept))
        assert not engine.is_completed(text)
        text = step(engine, text, name, decision=decision)
    assert seen == [
        ("accept", "受理", "window_clerk", "D-LEAD"),
        ("review", "审查", "approver", "D-LEAD"),
        ("decide", "决定", "approver", "D-LEAD"),
        ("complete", "办结", "window_clerk", "D-LEAD"),
    ]
    assert engine.is_completed(text) and engine.outcome(text) == "approved"
    history = engine.history(text)
    assert [(s.seq, s.name, s.decision) for s in history] == [
        (1, "accept", None),
        (2, "review", None),
        (3, "decide", "approve"),
        (4, "complete", None),
    ]
    assert all(s.actor == "staff-1" and s.opinion for s in history)


def test_promised_denial_ends_with_not_granted(engine: WorkflowEngine) -> None:
    text = stored(engine.start("promised-default", CASE))
    for name in ("accept", "review"):
        text = step(engine, text, name)
    text = step(engine, text, "decide", decision="deny")
    assert engine.is_completed(text) and engine.outcome(text) == "denied"
    assert [s.name for s in engine.history(text)] == ["accept", "review", "decide"]


def test_promised_refuses_decide_before_review(engine: WorkflowEngine) -> None:
    text = step(engine, stored(engine.start("promised-default", CASE)), "accept")
    [decide_id] = spec_task_ids(text, "decide")  # predicted, not yet reached
    with pytest.raises(FailedPrecondition) as err:
        engine.complete(text, decide_id, actor="staff-2", opinion="同意", decision="approve")
    assert err.value.code == "TASK_NOT_READY"
    assert "“决定”环节尚未到达" in err.value.message and "审查" in err.value.message
    assert engine.load(text).ready == ("review",)


def test_unknown_and_finished_tasks_are_refused(engine: WorkflowEngine) -> None:
    text = stored(engine.start("promised-default", CASE))
    [accept] = engine.ready_tasks(text)
    after = step(engine, text, "accept")
    with pytest.raises(FailedPrecondition) as err:
        engine.complete(after, accept.task_id, actor="staff-1", opinion="再次受理")
    assert err.value.code == "TASK_ALREADY_COMPLETED" and "请勿重复提交" in err.value.message
    for bad in (str(uuid.uuid4()), "not-a-uuid", spec_task_ids(text, "decision_gateway")[0]):
        with pytest.raises(FailedPrecondition) as err:
            engine.complete(after, bad, actor="staff-1", opinion="x")
        assert err.value.code == "TASK_NOT_FOUND"


def test_decision_rules(engine: WorkflowEngine) -> None:
    text = stored(engine.start("promised-default", CASE))
    [accept] = engine.ready_tasks(text)
    with pytest.raises(InvalidArgument):
        engine.complete(text, accept.task_id, actor="staff-1", opinion="ok", decision="approve")
    with pytest.raises(InvalidArgument):
        engine.complete(text, accept.task_id, actor=" ", opinion="ok")
    text = step(engine, step(engine, text, "accept"), "review")
    [decide] = engine.ready_tasks(text)
    for decision in (None, "maybe"):
        with pytest.raises(InvalidArgument):
            engine.complete(text, decide.task_id, actor="staff-1", opinion="ok", decision=decision)
    with pytest.raises(InvalidArgument) as err:
        engine.complete(text, decide.task_id, actor="staff-1", opinion="  ", decision="deny")
    assert "理由" in err.value.message


# --- joint (一件事) --------------------------------------------------------------------------


def branch_orders(codes: list[str]) -> list[list[tuple[str, str]]]:
    """Some interleavings of review/decide across branches: each branch whole in every order, and all reviews first."""
    orders = [
        [(name, code) for code in perm for name in ("review", "decide")]
        for perm in itertools.permutations(codes)
    ]
    orders.append([("review", code) for code in reversed(codes)] + [("decide", code) for code in codes])
    return orders


@pytest.mark.parametrize("count", [2, 3])
def test_joint_completes_only_after_every_branch_in_any_order(engine: WorkflowEngine, count: int) -> None:
    items = ITEMS[:count]
    codes = [item["code"] for item in items]
    for order in branch_orders(codes):
        text = stored(engine.start("joint-default", {**CASE, "items": items}))
        text = step(engine, text, "accept")
        branch_tasks = engine.ready_tasks(text)
        assert sorted((t.name, t.item_code, t.dept, t.candidate_role) for t in branch_tasks) == sorted(
            ("review", item["code"], item["dept"], "approver") for item in items
        )
        for n, (name, code) in enumerate(order):
            assert not engine.is_completed(text)
            assert "complete" not in engine.load(text).ready, f"joined before all branches: {order[:n]}"
            text = step(engine, text, name, item=code, decision="approve" if name == "decide" else None)
        [complete] = engine.ready_tasks(text)
        assert (complete.name, complete.dept, complete.item_code) == ("complete", "D-LEAD", None)
        text = step(engine, text, "complete")
        assert engine.is_completed(text) and engine.outcome(text) == "approved"
        assert engine.load(text).step_count == 1 + 2 * count + 1


@pytest.mark.parametrize("denier", ["ITEM-A", "ITEM-B", "ITEM-C"])
def test_joint_any_branch_denial_denies_the_bundle_after_all_branches(
    engine: WorkflowEngine, denier: str
) -> None:
    text = step(engine, stored(engine.start("joint-default", {**CASE, "items": ITEMS})), "accept")
    codes = [item["code"] for item in ITEMS]
    for code in [denier, *(c for c in codes if c != denier)]:
        text = step(engine, text, "review", item=code)
        assert not engine.is_completed(text), "a denial must wait for the other departments"
        text = step(engine, text, "decide", item=code, decision="deny" if code == denier else "approve")
    assert engine.is_completed(text) and engine.outcome(text) == "denied"
    decisions = {s.item_code: s.decision for s in engine.history(text) if s.name == "decide"}
    assert decisions == {c: ("deny" if c == denier else "approve") for c in codes}


def test_start_checks_case_facts(engine: WorkflowEngine) -> None:
    with pytest.raises(InvalidArgument) as err:
        engine.start("joint-default", CASE)
    assert "items" in err.value.fields
    with pytest.raises(InvalidArgument):
        engine.start("joint-default", {**CASE, "items": [{"code": "X"}]})
    with pytest.raises(InvalidArgument):
        engine.start("joint-default", {**CASE, "items": [ITEMS[0], ITEMS[0]]})
    with pytest.raises(InvalidArgument) as err:
        engine.start("promised-default", {"dept": "D"})
    assert "case_no" in err.value.fields
    with pytest.raises(NotFound):
        engine.start("nope", CASE)


# --- determinism and redelivery --------------------------------------------------------------


def test_redelivered_step_gives_same_state_and_no_double_step(engine: WorkflowEngine) -> None:
    """The service claimed a step, crashed before committing, and the command is redelivered: at every step."""
    text = stored(engine.start("joint-default", {**CASE, "items": ITEMS[:2]}))
    while not engine.is_completed(text):
        for task in engine.ready_tasks(text):
            decision = "approve" if task.decision_required else None
            first = engine.complete(text, task.task_id, actor="staff-1", opinion="同意", decision=decision)
            again = engine.complete(
                engine.load(text).json, task.task_id, actor="staff-1", opinion="同意", decision=decision
            )
            assert first.json == again.json, f"redelivered {task.name}@{task.item_code} diverged"
            assert first.step_count == again.step_count == engine.load(text).step_count + 1
            assert [s.task_id for s in engine.history(again)].count(task.task_id) == 1
            assert engine.ready_tasks(first) == engine.ready_tasks(again)
            with pytest.raises(FailedPrecondition):  # the committed state refuses the same step again
                engine.complete(first, task.task_id, actor="staff-1", opinion="同意", decision=decision)
        text = first.json


def test_redelivered_start_gives_same_workflow(engine: WorkflowEngine) -> None:
    data = {**CASE, "items": ITEMS}
    assert (
        engine.start("joint-default", data).json
        == engine.start("joint-default", dict(reversed(data.items()))).json
    )
    other = engine.start("joint-default", {**data, "case_no": "510100-20260928-000002"})
    assert {t.task_id for t in engine.ready_tasks(other)}.isdisjoint(
        t.task_id for t in engine.ready_tasks(engine.start("joint-default", data))
    )


_RUN_IN_CHILD = """
import hashlib, json, sys
from ywtb.approval.engine import WorkflowEngine
engine = WorkflowEngine()
text = engine.start("joint-default", json.loads(sys.argv[1])).json
while not engine.is_completed(text):
    task = engine.ready_tasks(text)[-1]
    text = engine.complete(text, task.task_id, actor="a", opinion="o",
                           decision="approve" if task.decision_required else None).json
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_same_result_in_another_process(engine: WorkflowEngine) -> None:
    """A redelivery may land on another replica: different process, different hash seed."""
    data = {**CASE, "items": ITEMS}
    digests = set()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _RUN_IN_CHILD, json.dumps(data)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_random_task_ids_outside_engine_calls() -> None:
    """The id hook only seeds inside engine calls; SpiffWorkflow still looks ids up as we patched."""
    assert spiff_task.uuid4.__module__ == "ywtb.approval.engine"
    assert spiff_task.uuid4() != spiff_task.uuid4()
