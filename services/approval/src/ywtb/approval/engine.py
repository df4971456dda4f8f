"""审批流程引擎: BPMN process definitions executed with SpiffWorkflow, state kept as JSON text.

The engine is pure and synchronous: every call takes the stored state (JSON text), applies
one step and returns the new state, so the service can store it in the same transaction as
its step record. Conventions the process files follow (see processes/*.bpmn):

- a user task's candidate role is the name of its lane (``window_clerk`` 窗口人员,
  ``approver`` 审批人员); every user task must lie in a lane;
- the handling department is the case's ``dept``; inside a multi-instance branch over the
  bundle's ``items`` (一件事) it is the branch item's ``dept`` and the task carries its ``code``;
- ``spiffworkflow:properties`` on a user task: ``stepDays`` (default step limit in working
  days) and ``decision=required`` (completing it must approve or deny; the choice is put in
  the task data as ``decision`` for the gateways); on an end event: ``outcome``
  (``approved`` / ``denied``).

A state stores the workflow without its process specs: it names the digest of its process
definition (ywtb.approval.definitions), and the summary it comes back with lists the ready
steps, so callers need not restore the workflow again to read them.

Completing is deterministic: SpiffWorkflow's random task ids and wall-clock stamps are
replaced, during an engine call, by values derived from the input state and the command, so
the same state and the same command always give the same new state (safe redelivery).
"""

from __future__ import annotations

import hashlib
import json
import time as _time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from typing import Any

import SpiffWorkflow.task as _spiff_task
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from ywtb.approval import definitions
from ywtb.approval.commands import check_case_data, check_command
from ywtb.approval.definitions import Archive, Definition
from ywtb.approval.library import ProcessLibrary
from ywtb.approval.ready_steps import find_ready, outcome_of, ready_task, ready_user_tasks
from ywtb.approval.workflow_state import (
    EMBEDDED_FORMAT,
    STATE_FORMAT,
    Outcome,
    ReadyTask,
    StepRecord,
    WorkflowState,
    envelope_of,
    state_text,
)
from ywtb.common.errors import FailedPrecondition

# --- deterministic ids and clock for SpiffWorkflow ------------------------------------------


class _Determinism:
    """Task ids and state-change stamps derived from a seed: same seed, same sequence."""

    def __init__(self, seed: bytes, tick: int) -> None:
        self._seed = seed
        self._ids = 0
        self.tick = tick

    def uuid4(self) -> uuid.UUID:
        self._ids += 1
        digest = hashlib.sha256(self._seed + self._ids.to_bytes(8, "big")).digest()
        return uuid.UUID(bytes=digest[:16], version=4)

    def time(self) -> float:
        self.tick += 1
        return float(self.tick)


_DETERMINISM: ContextVar[_Determinism | None] = ContextVar("ywtb_approval_determinism", default=None)


def _task_uuid4() -> uuid.UUID:
    """SpiffWorkflow's task-id source: seeded inside an engine call, random elsewhere."""
    active = _DETERMINISM.get()
    return active.uuid4() if active is not None else uuid.uuid4()


class _TaskClock:
    """Stands in for the ``time`` module inside SpiffWorkflow.task (it only calls time())."""

    def time(self) -> float:
        active = _DETERMINISM.get()
        return active.time() if active is not None else _time.time()

    def __getattr__(self, name: str) -> Any:
        return getattr(_time, name)


# SpiffWorkflow 3.x draws task ids from uuid4() and stamps last_state_change with time.time(),
# both looked up as globals of SpiffWorkflow.task; a test guards this against upgrades.
_spiff_task.uuid4 = _task_uuid4  # type: ignore[attr-defined]
_spiff_task.time = _TaskClock()  # type: ignore[attr-defined]


@contextmanager
def _deterministic(seed: bytes, tick: int) -> Iterator[_Determinism]:
    """Run SpiffWorkflow with seeded ids and a logical clock starting after tick."""
    active = _Determinism(seed, tick)
    token = _DETERMINISM.set(active)
    try:
        yield active
    finally:
        _DETERMINISM.reset(token)


def _seed(*parts: str) -> bytes:
    """A seed from the parts of a command."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


class WorkflowEngine:
    """Start workflows, list ready steps, complete steps; each call returns a new WorkflowState."""

    def __init__(self, library: ProcessLibrary | None = None, archive: Archive | None = None) -> None:
        self.library = library or ProcessLibrary()
        self._serializer = definitions.serializer()
        self._archive = archive
        registry = self._serializer.registry
        self._current = {
            name: definitions.parsed(name, spec.spec, spec.subprocess_specs, registry)
            for name, spec in ((name, self.library.spec(name)) for name in self.library.names())
        }
        self._by_digest: dict[str, Definition] = {d.digest: d for d in self._current.values()}

    def definitions(self) -> list[Definition]:
        """The library's definitions, for the archive."""
        return list(self._current.values())

    def attach_archive(self, archive: Archive) -> None:
        """Look up definitions no longer in the library (states started before a BPMN change) here."""
        self._archive = archive

    # public API

    def start(self, process: str, data: dict[str, Any]) -> WorkflowState:
        """Start the process for a case; data holds the case facts (case_no, dept, items...)."""
        spec = self.library.spec(process)
        facts = check_case_data(spec, data)
        canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True)
        with _deterministic(_seed("start", process, canonical), 0) as clock:
            workflow = BpmnWorkflow(spec.spec, spec.subprocess_specs)
            workflow.task_tree.data.update(facts)
            workflow.do_engine_steps()
            return self._dump(process, self._current[process].digest, workflow, [], clock.tick)

    def load(self, stored: str | WorkflowState) -> WorkflowState:
        """The WorkflowState (with summary) of stored JSON text."""
        if isinstance(stored, WorkflowState):
            return stored
        envelope, workflow = self._load(stored)
        return self._summary(stored, envelope, workflow)

    def ready_tasks(self, state: str | WorkflowState) -> list[ReadyTask]:
        """The steps people can complete now, in a stable order."""
        return list(self.load(state).tasks)

    def history(self, state: str | WorkflowState) -> list[StepRecord]:
        """Completed steps in order."""
        return [StepRecord(**step) for step in envelope_of(state_text(state))["steps"]]

    def complete(
        self,
        state: str | WorkflowState,
        task_id: str,
        *,
        actor: str,
        opinion: str,
        decision: str | None = None,
    ) -> WorkflowState:
        """Complete a ready step with the handler's opinion (and approve / deny where required)."""
        text = state_text(state)
        envelope, workflow = self._load(text)
        task = find_ready(workflow, task_id)
        ready = ready_task(task)
        actor, opinion = (actor or "").strip(), (opinion or "").strip()
        check_command(ready, actor, opinion, decision)
        with _deterministic(_seed("complete", text, task_id, decision or ""), envelope["tick"]) as clock:
            if ready.decision_required:
                task.data["decision"] = decision
            task.run()
            workflow.do_engine_steps()
            step = StepRecord(
                seq=len(envelope["steps"]) + 1,
                task_id=ready.task_id,
                name=ready.name,
                title=ready.title,
                candidate_role=ready.candidate_role,
                dept=ready.dept,
                item_code=ready.item_code,
                actor=actor,
                opinion=opinion,
                decision=decision,
            )
            steps = [*envelope["steps"], asdict(step)]
            return self._dump(envelope["process"], envelope.get("definition"), workflow, steps, clock.tick)

    def is_completed(self, state: str | WorkflowState) -> bool:
        """Whether the workflow has ended (approved and completed, or denied)."""
        return self.load(state).completed

    def outcome(self, state: str | WorkflowState) -> Outcome | None:
        """approved / denied once the workflow has ended, else None."""
        return self.load(state).outcome

    # internals

    def _dump(
        self,
        process: str,
        digest: str | None,
        workflow: BpmnWorkflow,
        steps: list[dict[str, Any]],
        tick: int,
    ) -> WorkflowState:
        """Serialise the workflow with its step log; specs only for a definition the archive lacks."""
        registry = self._serializer.registry
        registry._encoder_mode = True  # what serialize_json does around to_dict
        try:
            body = self._serializer.to_dict(workflow)
            if digest is None:
                body["spec"] = registry.convert(workflow.spec)
                body["subprocess_specs"] = {
                    k: registry.convert(v) for k, v in workflow.subprocess_specs.items()
                }
        finally:
            registry._encoder_mode = False
        body[self._serializer.VERSION_KEY] = self._serializer.VERSION
        envelope: dict[str, Any] = {
            "format": STATE_FORMAT if digest else EMBEDDED_FORMAT,
            "process": process,
            "tick": tick,
            "steps": steps,
            "workflow": body,
        }
        if digest:
            envelope["definition"] = digest
        text = json.dumps(
            envelope, ensure_ascii=False, separators=(",", ":"), cls=self._serializer._encoder_cls
        )
        return self._summary(text, envelope, workflow)

    def _load(self, text: str) -> tuple[dict[str, Any], BpmnWorkflow]:
        """The envelope and the restored workflow of stored JSON text."""
        envelope = envelope_of(text)
        body = dict(envelope["workflow"])
        self._serializer.migrate(body)
        if envelope["format"] == EMBEDDED_FORMAT:
            known = self._by_digest.get(
                definitions.digest_of(
                    definitions.specs_json(self._serializer.registry, body["spec"], body["subprocess_specs"])
                )
            )
            if known is not None:  # the library's definition: later states name it instead of embedding it
                envelope["definition"] = known.digest
                body.pop("spec"), body.pop("subprocess_specs")
                return envelope, self._serializer.from_dict(body, definition=known)
            return envelope, self._serializer.from_dict(body)
        return envelope, self._serializer.from_dict(body, definition=self._definition(envelope))

    def _definition(self, envelope: dict[str, Any]) -> Definition:
        """The definition a state names: the library's, or an archived one restored once."""
        digest = str(envelope.get("definition", ""))
        found = self._by_digest.get(digest)
        if found is None and self._archive is not None:
            text = self._archive(digest)
            if text is not None:
                found = definitions.restored(envelope["process"], text, self._serializer.registry)
                self._by_digest[digest] = found
        if found is None:
            raise FailedPrecondition(
                f"办件所用的审批流程定义（{envelope.get('process')}，版本 {digest[:12]}）已不存在，无法继续办理；"
                "请联系系统管理员恢复该流程定义。",
                code="DEFINITION_MISSING",
                message_en=f"process definition {digest} is neither in the library nor archived",
            )
        return found

    def _summary(self, text: str, envelope: dict[str, Any], workflow: BpmnWorkflow) -> WorkflowState:
        """The summary fields of a state."""
        tasks = tuple(ready_task(task) for task in ready_user_tasks(workflow))
        completed = workflow.is_completed()
        return WorkflowState(
            json=text,
            process=envelope["process"],
            completed=completed,
            outcome=outcome_of(workflow) if completed else None,
            ready=tuple(f"{item.name}@{item.item_code}" if item.item_code else item.name for item in tasks),
            step_count=len(envelope["steps"]),
            tasks=tasks,
        )
