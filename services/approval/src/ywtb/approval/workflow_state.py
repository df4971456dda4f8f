"""The stored workflow state: its formats, its summary (ready steps, outcome) and the step log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from ywtb.common.errors import InvalidArgument

STATE_FORMAT = "ywtb.approval.workflow/2"  # the workflow without specs, naming its definition's digest
EMBEDDED_FORMAT = "ywtb.approval.workflow/1"  # specs inside: read, and kept for definitions never archived
Outcome = Literal["approved", "denied"]


@dataclass(frozen=True, slots=True)
class ReadyTask:
    """A step waiting for a person: who may do it (role in a department) and what it is."""

    task_id: str
    name: str  # BPMN id of the step: accept, review, decide, complete, accept_and_decide
    title: str  # 受理, 审查, 决定, 办结 ...
    candidate_role: str
    dept: str
    item_code: str | None = None
    decision_required: bool = False
    step_days: int | None = None


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One completed step (办理过程): what was done, by whom, with which opinion."""

    seq: int
    task_id: str
    name: str
    title: str
    candidate_role: str
    dept: str
    item_code: str | None
    actor: str
    opinion: str
    decision: str | None


@dataclass(frozen=True, slots=True)
class WorkflowState:
    """The stored workflow (JSON text for the database) and a summary read from it."""

    json: str
    process: str
    completed: bool
    outcome: Outcome | None
    ready: tuple[str, ...]  # names of the ready steps ("review@ITEM" inside a bundle branch)
    step_count: int
    tasks: tuple[ReadyTask, ...] = ()  # the ready steps themselves, in the order of `ready`


def state_text(state: str | WorkflowState) -> str:
    """The stored JSON text of a state."""
    return state.json if isinstance(state, WorkflowState) else state


def envelope_of(text: str) -> dict[str, Any]:
    """The parsed envelope of stored JSON text, of a format this engine reads."""
    try:
        envelope = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument("流程状态数据已损坏，无法读取。", code="STATE_CORRUPT") from exc
    if not isinstance(envelope, dict) or envelope.get("format") not in (STATE_FORMAT, EMBEDDED_FORMAT):
        raise InvalidArgument(
            "流程状态数据格式不受支持。", code="STATE_FORMAT", message_en=f"expected {STATE_FORMAT}"
        )
    return envelope
