"""The evaluation service (好差评): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.evaluation.v1 import evaluation_pb2_grpc
from ywtb.common.case_facts import GrpcCaseFacts
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.evaluation.appeals import Appeals
from ywtb.evaluation.config import EvaluationSettings
from ywtb.evaluation.consumer import case_consumer
from ywtb.evaluation.grpc_api import EvaluationServicer
from ywtb.evaluation.indicators import Indicators
from ywtb.evaluation.inquiries import Inquiries
from ywtb.evaluation.models import metadata
from ywtb.evaluation.rateables import Rateables
from ywtb.evaluation.ratings import Ratings
from ywtb.evaluation.reads import Reads
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.tenant_settings import TenantRules


def build(kit: Kit[EvaluationSettings]) -> Parts:
    """The use cases, their servicer, the case consumer and the holder, default and overdue rounds."""
    settings = kit.settings
    rectifications = Rectifications(kit.db)
    facts = GrpcCaseFacts(settings.intake_target, settings.catalog_target, kit.signing_key)
    inquiries = Inquiries(kit.db, facts)
    rateables = Rateables(kit.db, facts, rectifications)
    ratings = Ratings(kit.db, rectifications)
    servicer = EvaluationServicer(
        ratings,
        Reads(kit.db, rateables, rectifications),
        Appeals(kit.db, rectifications),
        TenantRules(kit.db),
        Indicators(kit.db),
        inquiries,
    )
    return Parts(
        servicers=[(evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server, servicer)],
        workers={
            "cases": case_consumer(kit.bus, kit.db, rateables).run,
            "holders": periodic("holders", rateables.holder_round, interval_s=settings.holder_interval_s),
            "defaults": periodic("defaults", rateables.default_round, interval_s=settings.sweep_interval_s),
            "overdue": periodic("overdue", rectifications.sweep, interval_s=settings.sweep_interval_s),
            "inquiries": periodic("inquiries", inquiries.sweep, interval_s=settings.sweep_interval_s),
        },
    )


SPEC = ServiceSpec(name="evaluation", settings=EvaluationSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
