"""The evaluation service (好差评): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.evaluation.v1 import evaluation_pb2_grpc
from ywtb.common.case_facts import GrpcCaseFacts
from ywtb.common.pii import PiiKeys
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.sms import SmsPlatform
from ywtb.common.sms.http_platform import HttpSmsPlatform
from ywtb.common.workers import periodic
from ywtb.evaluation.appeals import Appeals
from ywtb.evaluation.config import EvaluationSettings
from ywtb.evaluation.consumer import case_consumer
from ywtb.evaluation.grpc_api import EvaluationServicer
from ywtb.evaluation.indicators import Indicators
from ywtb.evaluation.inquiries import Inquiries
from ywtb.evaluation.mobile_codes import MobileCodes
from ywtb.evaluation.models import metadata
from ywtb.evaluation.pushes import push_workers
from ywtb.evaluation.rateables import Rateables
from ywtb.evaluation.ratings import Ratings
from ywtb.evaluation.reads import Reads
from ywtb.evaluation.rectifications import Rectifications
from ywtb.evaluation.sms_notices import SmsNotices
from ywtb.evaluation.tenant_settings import TenantRules
from ywtb.evaluation.visits import Visits


def sms_platform(settings: EvaluationSettings) -> SmsPlatform | None:
    """The SMS gateway (make run / make up: the local simulator); None when no URL is set."""
    if not (settings.sms_url and settings.sms_key):
        return None
    return HttpSmsPlatform(settings.sms_url, settings.sms_key.get_secret_value())


def build(kit: Kit[EvaluationSettings]) -> Parts:
    """The use cases, their servicer, the case consumer, its rounds and the pushes to the province."""
    settings = kit.settings
    rectifications = Rectifications(kit.db, clock=kit.clock)
    facts = GrpcCaseFacts(settings.intake_target, settings.catalog_target, kit.signing_key)
    keys = PiiKeys.from_secret(settings.pii_key.get_secret_value(), "evaluation")
    sms = sms_platform(settings)
    notices = SmsNotices(kit.db, keys, sms, clock=kit.clock)
    codes = MobileCodes(kit.db, keys, sms, clock=kit.clock)
    inquiries = Inquiries(kit.db, facts, clock=kit.clock, codes=codes, notices=notices)
    rateables = Rateables(kit.db, facts, rectifications, clock=kit.clock)
    ratings = Ratings(kit.db, rectifications, clock=kit.clock)
    servicer = EvaluationServicer(
        ratings,
        Reads(kit.db, rateables, rectifications),
        Appeals(kit.db, rectifications, clock=kit.clock),
        TenantRules(kit.db, clock=kit.clock),
        Indicators(kit.db, clock=kit.clock),
        inquiries,
        Visits(kit.db, facts, rectifications, clock=kit.clock),
    )
    return Parts(
        servicers=[(evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server, servicer)],
        workers={
            "cases": case_consumer(kit.bus, kit.db, rateables).run,
            "holders": periodic("holders", rateables.holder_round, interval_s=settings.holder_interval_s),
            "defaults": periodic("defaults", rateables.default_round, interval_s=settings.sweep_interval_s),
            "overdue": periodic("overdue", rectifications.sweep, interval_s=settings.sweep_interval_s),
            "inquiries": periodic("inquiries", inquiries.sweep, interval_s=settings.sweep_interval_s),
            "sms": periodic("sms", notices.send_round, interval_s=settings.holder_interval_s),
            **push_workers(settings, kit.db, clock=kit.clock),  # to the province, when its URL is set
        },
    )


SPEC = ServiceSpec(name="evaluation", settings=EvaluationSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
