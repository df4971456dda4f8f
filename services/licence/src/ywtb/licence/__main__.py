"""The licence service (电子证照): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.licence.config import LicenceSettings
from ywtb.licence.grpc_api import LicenceServicer
from ywtb.licence.models import metadata
from ywtb.licence.records import Records


def build(kit: Kit[LicenceSettings]) -> Parts:
    """The use cases, their servicer and the overdue round (consumers go in workers too)."""
    settings = kit.settings
    records = Records(kit.db, reply_workdays=settings.reply_workdays)
    return Parts(
        servicers=[(licence_pb2_grpc.add_LicenceServiceServicer_to_server, LicenceServicer(records))],
        workers={
            "overdue": periodic("overdue", records.mark_overdue, interval_s=settings.overdue_interval_s)
        },
    )


SPEC = ServiceSpec(name="licence", settings=LicenceSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
