"""审批 REST routes: my tasks, claim and complete with an opinion, special procedures, the case timeline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ywtb.api.approval.v1 import approval_pb2 as pb
from ywtb.api.approval.v1 import approval_pb2_grpc
from ywtb.gateway.auth import CurrentPrincipal
from ywtb.gateway.routes.grpc_json import app_state, to_json

SERVICE = "ywtb.api.approval.v1.ApprovalService"
READS = [f"{SERVICE}/{m}" for m in ("ListTasks", "GetCaseTimeline", "GetCase")]
DECISIONS = {"": pb.DECISION_UNSPECIFIED, "approve": pb.DECISION_APPROVE, "deny": pb.DECISION_DENY}


Stub = Annotated[approval_pb2_grpc.ApprovalServiceStub, Depends(app_state("approval"))]


class CompleteIn(BaseModel):
    opinion: str = Field(min_length=1, max_length=2000, description="审查或决定意见")
    decision: Literal["", "approve", "deny"] = Field(
        default="", description="决定环节：approve 准予 / deny 不予"
    )


class SuspendIn(BaseModel):
    kind: str = Field(min_length=1, max_length=50, description="特别程序种类：听证、检验检测、专家评审…")
    reason: str = Field(min_length=1, max_length=1000)


class ResumeIn(BaseModel):
    result: str = Field(default="", max_length=1000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class BackupIn(BaseModel):
    absent_subject: str = Field(min_length=1, max_length=64)
    backup_subject: str = Field(default="", max_length=64)
    dept: str = Field(min_length=18, max_length=18)
    clear: bool = False


def build_approval_router() -> APIRouter:
    """Routes under /api/v1 for the approval service."""
    router = APIRouter(prefix="/api/v1", tags=["审批"])

    @router.get("/tasks", summary="我的待办（已认领或可认领）")
    def tasks(principal: CurrentPrincipal, stub: Stub, case_no: str = "") -> list[dict[str, Any]]:
        return [to_json(t) for t in stub.ListTasks(pb.ListTasksRequest(case_no=case_no)).tasks]

    @router.post("/cases/{case_no}/tasks/{task_id}/claim", summary="认领待办")
    def claim(case_no: str, task_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ClaimTask(pb.ClaimTaskRequest(case_no=case_no, task_id=task_id)).task)

    @router.post("/cases/{case_no}/tasks/{task_id}/complete", summary="办理（填写意见）")
    def complete(
        case_no: str, task_id: str, body: CompleteIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:
        request = pb.CompleteTaskRequest(
            case_no=case_no, task_id=task_id, opinion=body.opinion, decision=DECISIONS[body.decision]
        )
        return to_json(stub.CompleteTask(request).case)

    @router.post("/cases/{case_no}/suspension", summary="启动特别程序（停止计时）")
    def suspend(case_no: str, body: SuspendIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(
            stub.SuspendCase(pb.SuspendCaseRequest(case_no=case_no, kind=body.kind, reason=body.reason)).case
        )

    @router.post("/cases/{case_no}/resumption", summary="结束特别程序（恢复计时）")
    def resume(case_no: str, body: ResumeIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ResumeCase(pb.ResumeCaseRequest(case_no=case_no, result=body.result)).case)

    @router.post("/cases/{case_no}/extension", summary="延长办理期限")
    def extend(case_no: str, body: ReasonIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(
            stub.ExtendDeadline(pb.ExtendDeadlineRequest(case_no=case_no, reason=body.reason)).case
        )

    @router.get("/cases/{case_no}/timeline", summary="办件进度（申请人可见）")
    def timeline(case_no: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetCaseTimeline(pb.GetCaseTimelineRequest(case_no=case_no)))

    @router.get("/cases/{case_no}/approval", summary="审批状态与期限")
    def approval_case(case_no: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetCase(pb.GetCaseRequest(case_no=case_no)).case)

    @router.post("/approval/backup-handlers", summary="设置 AB 角（B 角代办）")
    def backup(body: BackupIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.SetBackupHandler(pb.SetBackupHandlerRequest(**body.model_dump())))

    return router
