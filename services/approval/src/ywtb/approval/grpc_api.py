"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.approval.v1 import approval_pb2 as pb
from ywtb.api.approval.v1 import approval_pb2_grpc
from ywtb.approval import authz, convert
from ywtb.approval.service import ApprovalService, CaseView
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow
from ywtb.common.tenancy import APPLICANT_ROLES, DEPT_ADMIN, STAFF_ROLES, UNBOUND_ROLES


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


class ApprovalServicer(approval_pb2_grpc.ApprovalServiceServicer):
    """ApprovalService over gRPC."""

    def __init__(self, service: ApprovalService) -> None:
        self.service = service

    def _case(self, view: CaseView) -> pb.Case:
        deadline = self.service.current_deadline(view.instance, view.stops, view.now)
        return convert.case(view, deadline, self.service.elapsed_workdays(view))

    @allow(*STAFF_ROLES)
    def ListTasks(self, request, context):  # noqa: N802
        now = self.service.now()
        views = self.service.list_tasks(_caller(), request.case_no)
        return pb.ListTasksResponse(
            tasks=[convert.task(v.task, item_id=v.item_id, status=v.case_status, now=now) for v in views]
        )

    @allow(*STAFF_ROLES)
    def ClaimTask(self, request, context):  # noqa: N802
        view = self.service.claim_task(_caller(), request.case_no, request.task_id)
        task = convert.task(view.task, item_id=view.item_id, status=view.case_status, now=self.service.now())
        return pb.ClaimTaskResponse(task=task)

    @allow(*STAFF_ROLES)
    def CompleteTask(self, request, context):  # noqa: N802
        view = self.service.complete_task(
            _caller(),
            request.case_no,
            request.task_id,
            request.opinion,
            convert.decision_of(request.decision),
        )
        return pb.CompleteTaskResponse(case=self._case(view))

    @allow(DEPT_ADMIN)
    def SetBackupHandler(self, request, context):  # noqa: N802
        row = self.service.set_backup_handler(
            _caller(), request.dept, request.absent_subject, request.backup_subject, clear=request.clear
        )
        return pb.SetBackupHandlerResponse(
            absent_subject=request.absent_subject, backup_subject=row.backup if row else ""
        )

    @allow(*authz.CASE_ACTORS)
    def SuspendCase(self, request, context):  # noqa: N802
        view = self.service.suspend_case(_caller(), request.case_no, request.kind, request.reason)
        return pb.SuspendCaseResponse(case=self._case(view))

    @allow(*authz.CASE_ACTORS)
    def ResumeCase(self, request, context):  # noqa: N802
        view = self.service.resume_case(_caller(), request.case_no, request.result)
        return pb.ResumeCaseResponse(case=self._case(view))

    @allow(*authz.CASE_ACTORS)
    def ExtendDeadline(self, request, context):  # noqa: N802
        view = self.service.extend_deadline(_caller(), request.case_no, request.reason)
        return pb.ExtendDeadlineResponse(case=self._case(view))

    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def GetCaseTimeline(self, request, context):  # noqa: N802
        view = self.service.get_case(_caller(), request.case_no)
        deadline = self.service.current_deadline(view.instance, view.stops, view.now)
        return convert.timeline(view, deadline, authz.mask_name)

    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def GetCase(self, request, context):  # noqa: N802
        return pb.GetCaseResponse(case=self._case(self.service.get_case(_caller(), request.case_no)))
