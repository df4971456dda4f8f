"""The approval service (审批): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.approval.v1 import approval_pb2_grpc
from ywtb.approval.config import ApprovalSettings
from ywtb.approval.consumer import case_accepted_consumer
from ywtb.approval.engine import WorkflowEngine
from ywtb.approval.grpc_api import ApprovalServicer
from ywtb.approval.library import ProcessLibrary
from ywtb.approval.models import metadata
from ywtb.approval.service import ApprovalService
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic


def build(kit: Kit[ApprovalSettings]) -> Parts:
    """The service, its servicer, the CaseAccepted consumer and the 超时默认 round."""
    settings = kit.settings
    engine = WorkflowEngine(ProcessLibrary(settings.processes_dir))
    service = ApprovalService(kit.db, engine, timeout_default_processes=settings.timeout_default_processes)
    return Parts(
        servicers=[(approval_pb2_grpc.add_ApprovalServiceServicer_to_server, ApprovalServicer(service))],
        workers={
            "case-accepted": case_accepted_consumer(kit.bus, kit.db, service).run,
            "timeouts": periodic("timeouts", service.apply_timeouts, interval_s=settings.timeout_interval_s),
        },
    )


SPEC = ServiceSpec(name="approval", settings=ApprovalSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
