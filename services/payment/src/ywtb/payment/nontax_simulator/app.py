"""The simulator's FastAPI application: health, the signed /v1 API and the pay page."""

from __future__ import annotations

from fastapi import FastAPI

from ywtb.common.simulator_kit import simulator_app
from ywtb.payment.nontax.signing import NONTAX
from ywtb.payment.nontax_simulator.api import build_api
from ywtb.payment.nontax_simulator.config import SimulatorSettings
from ywtb.payment.nontax_simulator.pay_page import build_pay_page
from ywtb.payment.nontax_simulator.simulator import build


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The application on its SQLite file; the callback sender runs while the app does."""
    sim = build(settings)
    return simulator_app(
        "非税收入统一缴款平台（模拟器）",
        key=settings.nontax_key.get_secret_value(),
        signing=NONTAX,
        routers=[build_api(sim), build_pay_page(sim)],
        on_start=[sim.sender.start],
        on_stop=[sim.sender.stop, sim.db.dispose],
    )
