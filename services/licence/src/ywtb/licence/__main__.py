"""The licence service (电子证照): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.licence.config import LicenceSettings
from ywtb.licence.grpc_api import LicenceServicer
from ywtb.licence.licence_types import LicenceTypes
from ywtb.licence.models import metadata


def build(kit: Kit[LicenceSettings]) -> Parts:
    """The use cases and their servicer."""
    servicer = LicenceServicer(LicenceTypes(kit.db))
    return Parts(servicers=[(licence_pb2_grpc.add_LicenceServiceServicer_to_server, servicer)])


SPEC = ServiceSpec(name="licence", settings=LicenceSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
