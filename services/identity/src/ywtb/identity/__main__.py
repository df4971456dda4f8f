"""The identity service (统一身份认证): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.pii import PiiKeys
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.identity.config import IdentitySettings
from ywtb.identity.directory import Directory, LocalDirectory
from ywtb.identity.grpc_api import IdentityServicer
from ywtb.identity.models import metadata
from ywtb.identity.provisioning import Provisioner
from ywtb.identity.seed import seed_demo
from ywtb.identity.service import IdentityService


def directory_for(settings: IdentitySettings) -> Directory:
    """Keycloak on the full stack; the identity database itself on the embedded default."""
    if settings.directory == "local":
        return LocalDirectory()
    from ywtb.identity.keycloak import KeycloakDirectory

    secret = settings.keycloak_client_secret.get_secret_value() if settings.keycloak_client_secret else ""
    return KeycloakDirectory(
        settings.keycloak_url, settings.keycloak_realm, settings.keycloak_client_id, secret
    )


def build(kit: Kit[IdentitySettings]) -> Parts:
    """The service (demo data seeded when asked), its servicer and the provisioning round."""
    settings = kit.settings
    keys = PiiKeys.from_secret(settings.pii_key.get_secret_value(), "identity")
    provisioner = Provisioner(kit.db, directory_for(settings), keys)
    service = IdentityService(
        kit.db,
        provisioner,
        keys,
        person_home_tenant=settings.person_home_tenant,
        local_passwords=settings.directory == "local",
    )
    if settings.seed_demo:
        seed_demo(service)
    interval_s = settings.provisioning_interval_s
    return Parts(
        servicers=[(identity_pb2_grpc.add_IdentityServiceServicer_to_server, IdentityServicer(service))],
        workers={"provisioning": periodic("provisioning", provisioner.run_due, interval_s=interval_s)},
    )


SPEC = ServiceSpec(name="identity", settings=IdentitySettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
