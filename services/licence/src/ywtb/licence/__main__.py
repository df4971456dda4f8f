"""The licence service (电子证照): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.pii import PiiKeys
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.licence.case_facts import GrpcCaseFacts
from ywtb.licence.config import LicenceSettings
from ywtb.licence.consumer import case_approved_consumer
from ywtb.licence.grpc_api import LicenceServicer
from ywtb.licence.issuance import Issuances
from ywtb.licence.licence_types import LicenceTypes
from ywtb.licence.licences import Licences
from ywtb.licence.models import metadata
from ywtb.licence.seal_store import SealStore
from ywtb.licence.verification import Verifier


def build(kit: Kit[LicenceSettings]) -> Parts:
    """The use cases, their servicer, the CaseApproved consumer and the issuance round."""
    settings = kit.settings
    secret = settings.pii_key.get_secret_value()
    seals = SealStore(secret)
    licences = Licences(seals, PiiKeys.from_secret(secret, "licence"), font_path=settings.font_path)
    facts = GrpcCaseFacts(settings.intake_target, settings.catalog_target, kit.signing_key)
    issuances = Issuances(kit.db, licences, facts)
    servicer = LicenceServicer(LicenceTypes(kit.db), Verifier(kit.db, licences, seals))
    return Parts(
        servicers=[(licence_pb2_grpc.add_LicenceServiceServicer_to_server, servicer)],
        workers={
            "case-approved": case_approved_consumer(kit.bus, kit.db, issuances).run,
            "issuance": periodic("issuance", issuances.run_round, interval_s=settings.issuance_interval_s),
        },
    )


SPEC = ServiceSpec(name="licence", settings=LicenceSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
