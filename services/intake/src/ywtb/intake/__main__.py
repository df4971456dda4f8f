"""Start the intake service: settings, telemetry, database, catalogue and identity clients, gRPC server, relay, deemed acceptance."""

from __future__ import annotations

from ywtb.api.intake.v1 import intake_pb2_grpc
from ywtb.common.grpc import build_server
from ywtb.common.logs import configure_logging
from ywtb.common.relay import OutboxRelay
from ywtb.common.runtime import Runtime, bus_for, database_for
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry
from ywtb.intake.catalog_client import GrpcCatalogClient
from ywtb.intake.config import IntakeSettings
from ywtb.intake.grpc_api import IntakeServicer
from ywtb.intake.identity_client import GrpcIdentityClient
from ywtb.intake.models import outbox
from ywtb.intake.service import IntakeService
from ywtb.intake.storage import DatabaseStorage, FilesystemStorage, MaterialStorage

SERVICE_NAME = "ywtb-intake"
GRPC_OVERHEAD_BYTES = 1024 * 1024  # the upload message carries the file plus its name


def storage_for(settings: IntakeSettings) -> MaterialStorage:
    """Material content in the intake database, or in files under storage_path."""
    if settings.storage == "filesystem":
        return FilesystemStorage(settings.materials_path())
    return DatabaseStorage()


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(IntakeSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    db = database_for(settings, "ywtb.intake")
    signing_key = settings.internal_signing_key.get_secret_value().encode()
    service = IntakeService(
        db,
        GrpcCatalogClient(settings.catalog_target, signing_key),
        GrpcIdentityClient(settings.identity_target, signing_key),
        storage_for(settings),
        pii_secret=settings.pii_key.get_secret_value(),
        max_upload_bytes=settings.max_upload_bytes,
        case_number_pattern=settings.case_number_pattern,
        deemed_acceptance_workdays=settings.deemed_acceptance_workdays,
    )
    runtime = Runtime(SERVICE_NAME)
    runtime.add_worker("relay", OutboxRelay(db, outbox, bus_for(settings, SERVICE_NAME)).run)
    runtime.add_worker(
        "deemed-acceptance",
        lambda stop: service.run_deemed_acceptance(stop, interval_s=settings.deemed_acceptance_interval_s),
    )
    server = build_server(
        [(intake_pb2_grpc.add_IntakeServiceServicer_to_server, IntakeServicer(service))],
        port=settings.grpc_port,
        signing_key=signing_key,
        service_name="ywtb.intake",
        options=[("grpc.max_receive_message_length", settings.max_upload_bytes + GRPC_OVERHEAD_BYTES)],
    )
    runtime.serve(server)


if __name__ == "__main__":
    main()
