"""The intake service (统一受理): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.intake.v1 import intake_pb2_grpc
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.intake.catalog_client import GrpcCatalogClient
from ywtb.intake.config import IntakeSettings
from ywtb.intake.grpc_api import IntakeServicer
from ywtb.intake.identity_client import GrpcIdentityClient
from ywtb.intake.licence_client import GrpcLicenceClient
from ywtb.intake.models import metadata
from ywtb.intake.service import IntakeService
from ywtb.intake.storage import DatabaseStorage, FilesystemStorage, MaterialStorage

GRPC_OVERHEAD_BYTES = 1024 * 1024  # the upload message carries the file plus its name


def storage_for(settings: IntakeSettings) -> MaterialStorage:
    """Material content in the intake database, or in files under storage_path."""
    if settings.storage == "filesystem":
        return FilesystemStorage(settings.materials_path())
    return DatabaseStorage()


def build(kit: Kit[IntakeSettings]) -> Parts:
    """The service with its catalogue and identity clients, its servicer and the deemed-acceptance round."""
    settings = kit.settings
    service = IntakeService(
        kit.db,
        GrpcCatalogClient(settings.catalog_target, kit.signing_key),
        GrpcIdentityClient(settings.identity_target, kit.signing_key),
        storage_for(settings),
        pii_secret=settings.pii_key.get_secret_value(),
        max_upload_bytes=settings.max_upload_bytes,
        case_number_pattern=settings.case_number_pattern,
        deemed_acceptance_workdays=settings.deemed_acceptance_workdays,
        licences=GrpcLicenceClient(settings.licence_target, kit.signing_key),
    )
    interval_s = settings.deemed_acceptance_interval_s
    return Parts(
        servicers=[(intake_pb2_grpc.add_IntakeServiceServicer_to_server, IntakeServicer(service))],
        workers={
            "deemed-acceptance": periodic("deemed-acceptance", service.deem_overdue, interval_s=interval_s)
        },
        grpc_options=[("grpc.max_receive_message_length", settings.max_upload_bytes + GRPC_OVERHEAD_BYTES)],
    )


SPEC = ServiceSpec(name="intake", settings=IntakeSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
