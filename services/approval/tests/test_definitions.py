"""Process definitions: states name them by digest, older ones come back from the archive, old states still run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from ywtb.approval.archive import DefinitionArchive
from ywtb.approval.engine import EMBEDDED_FORMAT, STATE_FORMAT, WorkflowEngine
from ywtb.approval.library import ProcessLibrary, default_processes_dir
from ywtb.approval.models import metadata
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition

CASE = {"case_no": "510100-20261203-000001", "dept": "D-LEAD"}


def run_to_end(engine: WorkflowEngine, text: str) -> str:
    """Complete every ready step (approving decisions) from stored text."""
    state = engine.load(text)
    while not state.completed:
        task = state.tasks[0]
        decision = "approve" if task.decision_required else None
        state = engine.complete(state.json, task.task_id, actor="staff-1", opinion="同意", decision=decision)
    return state.json


def renamed_library(tmp_path: Path) -> ProcessLibrary:
    """The shipped processes with promised-default's review step retitled: a new definition version."""
    folder = tmp_path / "processes"
    shutil.copytree(default_processes_dir(), folder)
    bpmn = folder / "promised-default.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert 'name="审查"' in text
    bpmn.write_text(text.replace('name="审查"', 'name="审核"'), encoding="utf-8")
    return ProcessLibrary(folder)


def test_a_state_names_its_definition_instead_of_embedding_it() -> None:
    engine = WorkflowEngine()
    state = engine.start("promised-default", CASE)
    envelope = json.loads(state.json)
    assert envelope["format"] == STATE_FORMAT
    assert (
        envelope["definition"]
        == engine.definitions()[[d.process for d in engine.definitions()].index("promised-default")].digest
    )
    assert "spec" not in envelope["workflow"] and "subprocess_specs" not in envelope["workflow"]
    assert [t.name for t in state.tasks] == list(state.ready) == ["accept"]
    assert engine.ready_tasks(state.json) == list(state.tasks)


def test_a_state_of_format_1_runs_on_and_is_rewritten_naming_the_library_definition() -> None:
    engine = WorkflowEngine()
    spec = engine.library.spec("promised-default")
    workflow = BpmnWorkflow(spec.spec, spec.subprocess_specs)
    workflow.task_tree.data.update(CASE)
    workflow.do_engine_steps()
    old = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    body = json.loads(old.serialize_json(workflow))
    text = json.dumps(
        {"format": EMBEDDED_FORMAT, "process": "promised-default", "tick": 3, "steps": [], "workflow": body},
        ensure_ascii=False,
    )
    task = engine.ready_tasks(text)[0]
    after = engine.complete(text, task.task_id, actor="staff-1", opinion="材料齐全")
    envelope = json.loads(after.json)
    assert envelope["format"] == STATE_FORMAT and "spec" not in envelope["workflow"]
    assert json.loads(engine.load(run_to_end(engine, after.json)).json)["steps"][0]["title"] == "受理"
    assert engine.outcome(run_to_end(engine, after.json)) == "approved"


def test_a_changed_bpmn_file_leaves_running_cases_on_their_archived_definition(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = Database(sqlite_url)
    metadata.create_all(db.engine)
    before = WorkflowEngine()
    archive = DefinitionArchive(db)
    archive.keep(before.definitions())
    running = before.start("promised-default", CASE)
    running = before.complete(running.json, running.tasks[0].task_id, actor="staff-1", opinion="予以受理")
    assert running.tasks[0].title == "审查"

    after = WorkflowEngine(renamed_library(tmp_path))  # deployed with the new BPMN file
    with pytest.raises(FailedPrecondition) as missing:
        after.load(running.json)
    assert missing.value.code == "DEFINITION_MISSING"

    after.attach_archive(archive.lookup)
    assert after.load(running.json).tasks[0].title == "审查"  # the running case keeps its version
    assert after.outcome(run_to_end(after, running.json)) == "approved"
    assert after.start("promised-default", CASE).json != running.json
    fresh = after.start("promised-default", CASE)
    fresh = after.complete(fresh.json, fresh.tasks[0].task_id, actor="staff-1", opinion="予以受理")
    assert fresh.tasks[0].title == "审核"  # new cases start on the new version


def test_keeping_definitions_twice_stores_each_once(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    metadata.create_all(db.engine)
    engine = WorkflowEngine()
    DefinitionArchive(db).keep(engine.definitions())
    DefinitionArchive(db).keep(engine.definitions())
    for definition in engine.definitions():
        assert DefinitionArchive(db).lookup(definition.digest) == definition.json
    assert DefinitionArchive(db).lookup("0" * 64) is None
