"""The simulated province's parts, built from its settings: database, reports, faults."""

from __future__ import annotations

from dataclasses import dataclass

from ywtb.common.db import Database
from ywtb.common.simulator_kit import open_database
from ywtb.evaluation.province_simulator.config import SimulatorSettings
from ywtb.evaluation.province_simulator.faults import Faults
from ywtb.evaluation.province_simulator.reports import Reports
from ywtb.evaluation.province_simulator.tables import Base

DB_FILE = "haocp-simulator.db"


@dataclass
class Simulator:
    """What the routes use."""

    db: Database
    reports: Reports
    faults: Faults


def build(settings: SimulatorSettings) -> Simulator:
    """The parts on the SQLite file in DATA_DIR (created when missing, kept across restarts)."""
    db = open_database(settings.data_dir, DB_FILE, Base.metadata)
    faults = Faults()
    return Simulator(db=db, reports=Reports(db, faults), faults=faults)
