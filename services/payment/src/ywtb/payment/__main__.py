"""The payment service (统一支付): what it is; ywtb.common.runtime starts it."""

from __future__ import annotations

from ywtb.api.payment.v1 import payment_pb2_grpc
from ywtb.common.case_facts import GrpcCaseFacts
from ywtb.common.runtime import Kit, Parts, ServiceSpec, run_service
from ywtb.common.workers import periodic
from ywtb.payment.callbacks import Callbacks
from ywtb.payment.charges import Charges
from ywtb.payment.config import PaymentSettings
from ywtb.payment.consumer import case_consumer
from ywtb.payment.grpc_api import PaymentServicer
from ywtb.payment.mismatches import Mismatches
from ywtb.payment.models import metadata
from ywtb.payment.nontax.http_platform import HttpNonTaxPlatform
from ywtb.payment.orders import Orders
from ywtb.payment.reconciliation import Reconciler
from ywtb.payment.refunds import Refunds
from ywtb.payment.seen_nonces import DatabaseNonceStore


def build(kit: Kit[PaymentSettings]) -> Parts:
    """The use cases, their servicer, the case consumer and the charge, notice and check rounds."""
    settings = kit.settings
    nonces = DatabaseNonceStore(kit.db)
    platform = HttpNonTaxPlatform(
        settings.nontax_url,
        settings.nontax_key.get_secret_value(),
        callback_path=settings.callback_path,
        nonces=nonces,
    )
    orders = Orders(kit.db, platform, notice_days=settings.notice_days)
    facts = GrpcCaseFacts(settings.intake_target, settings.catalog_target, kit.signing_key)
    charges = Charges(kit.db, facts, orders)
    reconciler = Reconciler(kit.db, platform, orders)
    refunds = Refunds(kit.db, platform)
    servicer = PaymentServicer(orders, Callbacks(orders, platform), Mismatches(kit.db), reconciler, refunds)
    return Parts(
        servicers=[(payment_pb2_grpc.add_PaymentServiceServicer_to_server, servicer)],
        workers={
            "cases": case_consumer(kit.bus, kit.db, charges).run,
            "charges": periodic("charges", charges.run_round, interval_s=settings.charge_interval_s),
            "notices": periodic("notices", orders.notify_round, interval_s=settings.charge_interval_s),
            "nonces": periodic("nonces", nonces.purge, interval_s=settings.reconcile_interval_s),
            "refunds": periodic("refunds", refunds.run_round, interval_s=settings.charge_interval_s),
            "reconciliation": periodic(
                "reconciliation", reconciler.daily_round, interval_s=settings.reconcile_interval_s
            ),
            "checks": periodic(
                "checks",
                lambda: orders.check_round(settings.check_after_s),
                interval_s=settings.check_interval_s,
            ),
        },
    )


SPEC = ServiceSpec(name="payment", settings=PaymentSettings, metadata=metadata, build=build)


def main() -> None:
    """Run until SIGTERM; exit 2 on a bad configuration."""
    run_service(SPEC)


if __name__ == "__main__":
    main()
