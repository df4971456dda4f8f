"""The BPMN process definitions approval runs (processes/*.bpmn): parsed and checked once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ywtb.common.errors import ConfigError, NotFound

OUTCOMES = ("approved", "denied")


def default_processes_dir() -> Path:
    """The processes/ folder shipped in this package."""
    return Path(str(files("ywtb.approval").joinpath("processes")))


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """A parsed process: the top-level spec and the specs of its subprocesses."""

    name: str
    title: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    branches_over_items: bool


class ProcessLibrary:
    """All BPMN process definitions of a folder, parsed and checked once at start-up."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_processes_dir()
        paths = sorted(self.directory.glob("*.bpmn"))
        if not paths:
            raise ConfigError(f"审批流程目录 {self.directory} 中没有 BPMN 流程文件")
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_files([str(path) for path in paths])
        self._specs: dict[str, ProcessSpec] = {}
        for name in sorted(parser.get_process_ids()):
            spec = parser.get_spec(name)
            subprocesses = parser.get_subprocess_specs(name)
            check_process(name, spec, subprocesses)
            branches = any(
                isinstance(ts, MultiInstanceTask)
                and ts.data_input is not None
                and ts.data_input.bpmn_id == "items"
                for ts in spec.task_specs.values()
            )
            self._specs[name] = ProcessSpec(name, spec.description or name, spec, subprocesses, branches)

    def names(self) -> list[str]:
        """Process ids (the catalogue's `process` field), sorted."""
        return list(self._specs)

    def spec(self, name: str) -> ProcessSpec:
        """The parsed process; NotFound when no file defines it."""
        try:
            return self._specs[name]
        except KeyError:
            raise NotFound(
                f"未找到审批流程“{name}”，请在事项的办理流程中选择已发布的流程：{'、'.join(self._specs)}。",
                code="PROCESS_NOT_FOUND",
                message_en=f"unknown process {name!r}",
            ) from None


def properties(task_spec: Any) -> dict[str, str]:
    """The spiffworkflow:properties of a task spec."""
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))


def is_user_task(task_spec: Any) -> bool:
    """A task a person completes (user or manual task)."""
    return bool(task_spec.manual) and getattr(task_spec, "bpmn_id", None) is not None


def check_process(name: str, spec: BpmnProcessSpec, subprocesses: Mapping[str, BpmnProcessSpec]) -> None:
    """Reject a process that breaks the conventions of ywtb.approval.engine's docstring."""
    problems: list[str] = []
    outcomes: set[str] = set()
    for process in (spec, *subprocesses.values()):
        for task_spec in process.task_specs.values():
            props = properties(task_spec)
            if is_user_task(task_spec):
                if not task_spec.lane:
                    problems.append(f"{task_spec.bpmn_id}: user task outside a lane (no candidate role)")
                if "stepDays" in props and not props["stepDays"].isdigit():
                    problems.append(f"{task_spec.bpmn_id}: stepDays must be a whole number")
                if props.get("decision", "required") != "required":
                    problems.append(f"{task_spec.bpmn_id}: decision property must be 'required'")
            if "outcome" in props:
                if props["outcome"] not in OUTCOMES:
                    problems.append(f"{task_spec.bpmn_id}: outcome must be approved or denied")
                outcomes.add(props["outcome"])
    if not outcomes:
        problems.append("no end event declares an outcome")
    if problems:
        raise ConfigError(
            f"审批流程“{name}”定义不符合约定：{'；'.join(problems)}",
            message_en=f"process {name}: " + "; ".join(problems),
        )
