"""Start the approval service: settings, telemetry, database, gRPC server, relay, consumer, timeouts."""

from __future__ import annotations

from ywtb.api.approval.v1 import approval_pb2_grpc
from ywtb.approval.config import ApprovalSettings
from ywtb.approval.consumer import case_accepted_consumer
from ywtb.approval.engine import ProcessLibrary, WorkflowEngine
from ywtb.approval.grpc_api import ApprovalServicer
from ywtb.approval.models import outbox
from ywtb.approval.service import ApprovalService
from ywtb.approval.timeouts import TimeoutWorker
from ywtb.common.grpc import build_server
from ywtb.common.logs import configure_logging
from ywtb.common.relay import OutboxRelay
from ywtb.common.runtime import Runtime, bus_for, database_for
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry

SERVICE_NAME = "ywtb-approval"


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(ApprovalSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    db = database_for(settings, "ywtb.approval")
    bus = bus_for(settings, SERVICE_NAME)
    engine = WorkflowEngine(ProcessLibrary(settings.processes_dir))
    service = ApprovalService(db, engine, timeout_default_processes=settings.timeout_default_processes)
    runtime = Runtime(SERVICE_NAME)
    runtime.add_worker("relay", OutboxRelay(db, outbox, bus).run)
    runtime.add_worker("case-accepted", case_accepted_consumer(bus, db, service).run)
    runtime.add_worker("timeouts", TimeoutWorker(service, interval_s=settings.timeout_interval_s).run)
    server = build_server(
        [(approval_pb2_grpc.add_ApprovalServiceServicer_to_server, ApprovalServicer(service))],
        port=settings.grpc_port,
        signing_key=settings.internal_signing_key.get_secret_value().encode(),
        service_name="ywtb.approval",
    )
    runtime.serve(server)


if __name__ == "__main__":
    main()
