"""审批 REST routes: my tasks, claim and complete with an opinion, special procedures, the case timeline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from ywtb.api.approval.v1 import approval_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal
from ywtb.gateway.contract.answers import WRITE, answers
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.approval.v1.ApprovalService"
READS = [f"{SERVICE}/{m}" for m in ("ListTasks", "GetCaseTimeline", "GetCase")]
DECISIONS = {"": pb.DECISION_UNSPECIFIED, "approve": pb.DECISION_APPROVE, "deny": pb.DECISION_DENY}


Stub = Annotated[AsyncStub, Depends(app_state("approval"))]  # ywtb.api.approval.v1.ApprovalService


CompleteIn = input_model(
    pb.CompleteTaskRequest.DESCRIPTOR,
    exclude=("case_no", "task_id"),
    required=("opinion",),
    rules={
        "opinion": Field(min_length=1, max_length=2000, description="审查或决定意见"),
        "decision": Field(description="决定环节：approve 准予 / deny 不予"),
    },
    types={"decision": Literal["", "approve", "deny"]},  # the REST short names of Decision
)
SuspendIn = input_model(
    pb.SuspendCaseRequest.DESCRIPTOR,
    exclude=("case_no",),
    required=("kind", "reason"),
    rules={
        "kind": Field(min_length=1, max_length=50, description="特别程序种类：听证、检验检测、专家评审…"),
        "reason": Field(min_length=1, max_length=1000),
    },
)
ResumeIn = input_model(
    pb.ResumeCaseRequest.DESCRIPTOR, exclude=("case_no",), rules={"result": Field(max_length=1000)}
)
ExtendIn = input_model(
    pb.ExtendDeadlineRequest.DESCRIPTOR,
    exclude=("case_no",),
    required=("reason",),
    rules={"reason": Field(min_length=1, max_length=1000)},
)
BackupIn = input_model(
    pb.SetBackupHandlerRequest.DESCRIPTOR,
    required=("absent_subject", "dept"),
    rules={
        "absent_subject": Field(min_length=1, max_length=64),
        "backup_subject": Field(max_length=64),
        "dept": Field(min_length=18, max_length=18),
    },
)


def build_approval_router() -> APIRouter:
    """Routes under /api/v1 for the approval service."""
    router = APIRouter(prefix="/api/v1", tags=["审批"])

    @router.get("/tasks", summary="我的待办（已认领或可认领）", **answers(pb.Task, many=True))
    async def tasks(principal: CurrentPrincipal, stub: Stub, case_no: str = "") -> list[dict[str, Any]]:
        return [to_json(t) for t in (await stub.ListTasks(pb.ListTasksRequest(case_no=case_no))).tasks]

    @router.post(
        "/cases/{case_no}/tasks/{task_id}/claim", summary="认领待办", **answers(pb.Task, errors=WRITE)
    )
    async def claim(case_no: str, task_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.ClaimTask(pb.ClaimTaskRequest(case_no=case_no, task_id=task_id))).task)

    @router.post(
        "/cases/{case_no}/tasks/{task_id}/complete",
        summary="办理（填写意见）",
        **answers(pb.Case, errors=WRITE),
    )
    async def complete(
        case_no: str,
        task_id: str,
        body: CompleteIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = pb.CompleteTaskRequest(
            case_no=case_no,
            task_id=task_id,
            opinion=body.opinion,  # type: ignore[attr-defined]
            decision=DECISIONS[body.decision or ""],  # type: ignore[attr-defined]
        )
        return to_json((await stub.CompleteTask(request)).case)

    @router.post(
        "/cases/{case_no}/suspension", summary="启动特别程序（停止计时）", **answers(pb.Case, errors=WRITE)
    )
    async def suspend(
        case_no: str, body: SuspendIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.SuspendCase(to_proto(body, pb.SuspendCaseRequest(case_no=case_no)))).case)

    @router.post(
        "/cases/{case_no}/resumption", summary="结束特别程序（恢复计时）", **answers(pb.Case, errors=WRITE)
    )
    async def resume(case_no: str, body: ResumeIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.ResumeCase(to_proto(body, pb.ResumeCaseRequest(case_no=case_no)))).case)

    @router.post("/cases/{case_no}/extension", summary="延长办理期限", **answers(pb.Case, errors=WRITE))
    async def extend(case_no: str, body: ExtendIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(
            (await stub.ExtendDeadline(to_proto(body, pb.ExtendDeadlineRequest(case_no=case_no)))).case
        )

    @router.get(
        "/cases/{case_no}/timeline", summary="办件进度（申请人可见）", **answers(pb.GetCaseTimelineResponse)
    )
    async def timeline(case_no: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(await stub.GetCaseTimeline(pb.GetCaseTimelineRequest(case_no=case_no)))

    @router.get("/cases/{case_no}/approval", summary="审批状态与期限", **answers(pb.Case))
    async def approval_case(case_no: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetCase(pb.GetCaseRequest(case_no=case_no))).case)

    @router.post(
        "/approval/backup-handlers",
        summary="设置 AB 角（B 角代办）",
        **answers(pb.SetBackupHandlerResponse, errors=WRITE),
    )
    async def backup(body: BackupIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.SetBackupHandler(to_proto(body, pb.SetBackupHandlerRequest())))

    return router
