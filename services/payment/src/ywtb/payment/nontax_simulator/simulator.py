"""The simulated platform's parts, built from its settings: database, notices, refunds, faults, callback sender."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from ywtb.common.db import Database
from ywtb.common.simulator_kit import open_database
from ywtb.payment.nontax.platform import Payment
from ywtb.payment.nontax_simulator.callbacks import CallbackSender
from ywtb.payment.nontax_simulator.config import SimulatorSettings
from ywtb.payment.nontax_simulator.faults import Faults
from ywtb.payment.nontax_simulator.notices import Notices
from ywtb.payment.nontax_simulator.refunds import Refunds
from ywtb.payment.nontax_simulator.tables import Base

DB_FILE = "nontax-simulator.db"


@dataclass
class Simulator:
    """What the routes use."""

    db: Database
    notices: Notices
    refunds: Refunds
    faults: Faults
    sender: CallbackSender

    async def pay(self, notice_no: str, channel: str, paid_fen: int | None = None) -> Payment:
        """Pay a notice (the pay page and the test endpoint) and report it as the callback mode says."""
        payment = await run_in_threadpool(
            self.notices.pay, notice_no, channel, paid_fen, self.faults.callback_delays()
        )
        self.sender.wake()
        return payment


def build(settings: SimulatorSettings) -> Simulator:
    """The parts on the SQLite file in DATA_DIR (created when missing, kept across restarts)."""
    db = open_database(settings.data_dir, DB_FILE, Base.metadata)
    key = settings.nontax_key.get_secret_value()
    faults = Faults(
        settings.callback_mode,
        settings.callback_delay_s,
        bool(settings.callback_to()),
        refund_mode=settings.refund_mode,
        refund_delay_s=settings.refund_delay_s,
    )
    return Simulator(
        db=db,
        notices=Notices(db, settings.pay_base_url()),
        refunds=Refunds(db, faults),
        faults=faults,
        sender=CallbackSender(
            db,
            settings.callback_to(),
            key,
            attempts=settings.callback_attempts,
            backoff_s=settings.callback_backoff_s,
            timeout_s=settings.callback_timeout_s,
        ),
    )
