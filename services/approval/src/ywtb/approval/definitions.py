"""Process definitions (流程定义) by digest: kept once, not inside every stored workflow state.

A stored state names the digest of the definition it runs on; the engine holds the parsed
definitions of its library and restores an older one from the archive (the approval
database's process_definitions table) when a state still runs on it, so a changed BPMN file
never alters a running case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

Archive = Callable[[str], str | None]  # digest → the definition's JSON, None when never stored


@dataclass(frozen=True, slots=True)
class Definition:
    """One version of a process: its digest, the parsed specs and their JSON (what the archive keeps)."""

    digest: str
    process: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    json: str


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """A BpmnWorkflow without its specs; restoring takes them from the Definition passed in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], definition: Definition | None = None) -> BpmnWorkflow:
        if definition is None:  # a state of format 1 carries its specs
            return super().from_dict(dct)
        workflow = self.target_class(definition.spec, definition.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer with workflows written without their specs."""
    config = {**SPIFF_CONFIG, BpmnWorkflow: _SpeclessWorkflowConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def specs_json(registry: DefaultRegistry, spec: Any, subprocess_specs: Mapping[str, Any]) -> str:
    """Canonical JSON of a process's specs (already converted dicts or spec objects)."""
    body = {
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(sub) for name, sub in subprocess_specs.items()},
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(text: str) -> str:
    """The digest naming a definition."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parsed(
    process: str,
    spec: BpmnProcessSpec,
    subprocess_specs: dict[str, BpmnProcessSpec],
    registry: DefaultRegistry,
) -> Definition:
    """The Definition of specs parsed from BPMN files."""
    text = specs_json(registry, spec, subprocess_specs)
    return Definition(digest_of(text), process, spec, subprocess_specs, text)


def restored(process: str, text: str, registry: DefaultRegistry) -> Definition:
    """The Definition of archived JSON."""
    body = json.loads(text)
    spec = registry.restore(body["spec"])
    subprocess_specs = {name: registry.restore(sub) for name, sub in body["subprocess_specs"].items()}
    return Definition(digest_of(text), process, spec, subprocess_specs, text)
