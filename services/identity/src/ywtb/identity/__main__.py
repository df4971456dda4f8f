"""Start the identity service: settings, telemetry, database, gRPC server, relay, provisioning."""

from __future__ import annotations

from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.grpc import build_server
from ywtb.common.logs import configure_logging
from ywtb.common.relay import OutboxRelay
from ywtb.common.runtime import Runtime, bus_for, database_for
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry
from ywtb.identity.config import IdentitySettings
from ywtb.identity.directory import Directory, LocalDirectory
from ywtb.identity.grpc_api import IdentityServicer
from ywtb.identity.models import outbox
from ywtb.identity.pii_keys import PiiKeys
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.seed import seed_demo
from ywtb.identity.service import IdentityService

SERVICE_NAME = "ywtb-identity"


def directory_for(settings: IdentitySettings) -> Directory:
    """Keycloak on the full stack; the identity database itself on the embedded default."""
    if settings.directory == "local":
        return LocalDirectory()
    from ywtb.identity.keycloak import KeycloakDirectory

    secret = settings.keycloak_client_secret.get_secret_value() if settings.keycloak_client_secret else ""
    return KeycloakDirectory(
        settings.keycloak_url, settings.keycloak_realm, settings.keycloak_client_id, secret
    )


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(IdentitySettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    db = database_for(settings, "ywtb.identity")
    keys = PiiKeys.from_secret(settings.pii_key.get_secret_value())
    provisioner = Provisioner(db, directory_for(settings), keys)
    service = IdentityService(
        db,
        provisioner,
        keys,
        person_home_tenant=settings.person_home_tenant,
        local_passwords=settings.directory == "local",
    )
    if settings.seed_demo:
        seed_demo(service)
    runtime = Runtime(SERVICE_NAME)
    runtime.add_worker("relay", OutboxRelay(db, outbox, bus_for(settings, SERVICE_NAME)).run)
    runtime.add_worker(
        "provisioning", lambda stop: provisioner.run(stop, interval_s=settings.provisioning_interval_s)
    )
    server = build_server(
        [(identity_pb2_grpc.add_IdentityServiceServicer_to_server, IdentityServicer(service))],
        port=settings.grpc_port,
        signing_key=settings.internal_signing_key.get_secret_value().encode(),
        service_name="ywtb.identity",
    )
    runtime.serve(server)


if __name__ == "__main__":
    main()
