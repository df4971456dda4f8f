"""审批 approval service: BPMN workflows of accepted cases, steps, deadlines, decisions."""

from ywtb.approval.deadlines import (
    case_deadline,
    extended_deadline,
    step_deadline,
)
from ywtb.approval.engine import (
    ReadyTask,
    StepRecord,
    WorkflowEngine,
    WorkflowState,
)
from ywtb.approval.library import ProcessLibrary

__all__ = [
    "ProcessLibrary",
    "ReadyTask",
    "StepRecord",
    "WorkflowEngine",
    "WorkflowState",
    "case_deadline",
    "extended_deadline",
    "step_deadline",
]
