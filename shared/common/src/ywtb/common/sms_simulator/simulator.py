"""The simulated platform's parts, built from its settings: database, messages, faults."""

from __future__ import annotations

from dataclasses import dataclass

from ywtb.common.db import Database
from ywtb.common.simulator_kit import open_database
from ywtb.common.sms_simulator.config import SimulatorSettings
from ywtb.common.sms_simulator.faults import Faults
from ywtb.common.sms_simulator.messages import Messages
from ywtb.common.sms_simulator.tables import Base

DB_FILE = "sms-simulator.db"


@dataclass
class Simulator:
    """What the routes use."""

    db: Database
    messages: Messages
    faults: Faults


def build(settings: SimulatorSettings) -> Simulator:
    """The parts on the SQLite file in DATA_DIR (created when missing, kept across restarts)."""
    db = open_database(settings.data_dir, DB_FILE, Base.metadata)
    faults = Faults()
    return Simulator(db=db, messages=Messages(db, faults, settings.daily_limit), faults=faults)
