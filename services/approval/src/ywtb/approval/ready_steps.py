"""The steps of a restored workflow: which are ready for a person, finding one by id, the outcome reached."""

from __future__ import annotations

import uuid

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from ywtb.approval.library import OUTCOMES, is_user_task, properties
from ywtb.approval.workflow_state import Outcome, ReadyTask
from ywtb.common.errors import FailedPrecondition


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """READY user tasks of the workflow and its subprocesses, in tree order."""
    return [
        task
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
        if is_user_task(task.task_spec)
    ]


def ready_task(task: Task) -> ReadyTask:
    """The ReadyTask view of a SpiffWorkflow task."""
    spec = task.task_spec
    props = properties(spec)
    item = task.data.get("item")
    in_branch = isinstance(item, dict)
    return ReadyTask(
        task_id=str(task.id),
        name=spec.bpmn_id,
        title=spec.bpmn_name or spec.bpmn_id,
        candidate_role=spec.lane,
        dept=str(item["dept"]) if in_branch else str(task.data.get("dept", "")),
        item_code=str(item["code"]) if in_branch else None,
        decision_required=props.get("decision") == "required",
        step_days=int(props["stepDays"]) if "stepDays" in props else None,
    )


def find_ready(workflow: BpmnWorkflow, task_id: str) -> Task:
    """The READY user task with this id, or FailedPrecondition saying why not."""
    try:
        key = uuid.UUID(str(task_id))
    except ValueError:
        key = None
    task = None
    if key is not None:
        try:
            task = workflow.get_task_from_id(key)
        except Exception:  # TaskNotFoundException: fall through to the message below
            task = None
    if task is None or not is_user_task(task.task_spec):
        raise FailedPrecondition(
            "该办理环节不存在或已失效，请刷新待办列表后重试。",
            code="TASK_NOT_FOUND",
            message_en=f"no step {task_id} in this workflow",
        )
    title = task.task_spec.bpmn_name or task.task_spec.bpmn_id
    if task.state == TaskState.COMPLETED:
        raise FailedPrecondition(
            f"“{title}”环节已办理完成，请勿重复提交；请刷新查看最新办理状态。",
            code="TASK_ALREADY_COMPLETED",
            message_en=f"step {title} already completed",
        )
    if task.state != TaskState.READY:
        current = "、".join(
            item.task_spec.bpmn_name or item.task_spec.bpmn_id for item in ready_user_tasks(workflow)
        )
        raise FailedPrecondition(
            f"“{title}”环节尚未到达，不能办理；当前待办环节：{current or '无'}。",
            code="TASK_NOT_READY",
            message_en=f"step {title} is not ready",
        )
    return task


def outcome_of(workflow: BpmnWorkflow) -> Outcome | None:
    """The outcome declared on the top-level end event that was reached."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        value = properties(task.task_spec).get("outcome")
        if value in OUTCOMES and task.workflow is workflow:
            return value  # type: ignore[return-value]
    return None
