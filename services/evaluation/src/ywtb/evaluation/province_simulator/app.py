"""The simulator's FastAPI application: health, the signed /v1 API and the demo page."""

from __future__ import annotations

from fastapi import FastAPI

from ywtb.common.simulator_kit import simulator_app
from ywtb.evaluation.province.wire import HAOCP
from ywtb.evaluation.province_simulator.api import build_api
from ywtb.evaluation.province_simulator.config import SimulatorSettings
from ywtb.evaluation.province_simulator.page import build_page
from ywtb.evaluation.province_simulator.simulator import build


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The application on its SQLite file."""
    sim = build(settings)
    return simulator_app(
        "省好差评系统（模拟器）",
        key=settings.province_key.get_secret_value(),
        signing=HAOCP,
        routers=[build_api(sim), build_page(sim)],
        on_stop=[sim.db.dispose],
    )
