"""The licence service (电子证照): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.case_facts import GrpcCaseFacts
from ywtb.common.pii import PiiKeys
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.licence.attachments import Attachments
from ywtb.licence.config import LicenceSettings
from ywtb.licence.consumer import case_approved_consumer
from ywtb.licence.credential_keys import CredentialKeys
from ywtb.licence.credential_verification import CredentialVerifier
from ywtb.licence.credentials import Credentials
from ywtb.licence.grpc_api import LicenceServicer
from ywtb.licence.issuance import Issuances
from ywtb.licence.issued_register import IssuedRegister
from ywtb.licence.issuer_dids import IssuerDids
from ywtb.licence.issuing_desk import IssuingDesk
from ywtb.licence.licence_file import MAX_PDF_BYTES
from ywtb.licence.licence_types import LicenceTypes
from ywtb.licence.licences import Licences
from ywtb.licence.linked_data import DocumentLoader
from ywtb.licence.models import metadata
from ywtb.licence.revocation import Revocations
from ywtb.licence.seal_store import SealStore
from ywtb.licence.seed import seed_demo
from ywtb.licence.sharing import Shares
from ywtb.licence.verification import Verifier
from ywtb.licence.versions import Versions
from ywtb.licence.wallet import WalletReads

GRPC_OVERHEAD_BYTES = 1024 * 1024


def build(kit: Kit[LicenceSettings]) -> Parts:
    """The use cases, their servicer, the CaseApproved consumer and the issuance round."""
    settings = kit.settings
    secret = settings.pii_key.get_secret_value()
    seals = SealStore(secret)
    licences = Licences(seals, PiiKeys.from_secret(secret, "licence"), font_path=settings.font_path)
    facts = GrpcCaseFacts(settings.intake_target, settings.catalog_target, kit.signing_key)
    issuances = Issuances(kit.db, licences, facts)
    types = LicenceTypes(kit.db)
    if settings.seed_demo:
        seed_demo(types)
    verifier = Verifier(kit.db, licences, seals)
    credential_keys, dids, loader = (
        CredentialKeys(secret),
        IssuerDids(settings.credential_base_url),
        DocumentLoader(),
    )
    servicer = LicenceServicer(
        types,
        verifier,
        WalletReads(kit.db),
        Revocations(kit.db, seals),
        IssuingDesk(issuances),
        Versions(kit.db, licences),
        Shares(kit.db, verifier, default_minutes=settings.share_minutes),
        Attachments(kit.db, licences, verifier),
        Credentials(kit.db, credential_keys, dids, loader),
        CredentialVerifier(kit.db, credential_keys, dids, verifier, loader),
        IssuedRegister(kit.db),
    )
    return Parts(
        servicers=[(licence_pb2_grpc.add_LicenceServiceServicer_to_server, servicer)],
        workers={
            "case-approved": case_approved_consumer(kit.bus, kit.db, issuances).run,
            "issuance": periodic("issuance", issuances.run_round, interval_s=settings.issuance_interval_s),
        },
        # A licence PDF of up to 5 MB arrives for verification; larger ones are refused by the use case.
        grpc_options=[("grpc.max_receive_message_length", MAX_PDF_BYTES + GRPC_OVERHEAD_BYTES)],
    )


SPEC = ServiceSpec(name="licence", settings=LicenceSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
