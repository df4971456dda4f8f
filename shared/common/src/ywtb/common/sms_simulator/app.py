"""The simulator's FastAPI application: health, the signed /v1 API and the inbox page."""

from __future__ import annotations

from fastapi import FastAPI

from ywtb.common.simulator_kit import simulator_app
from ywtb.common.sms.wire import SMS_SIGNING
from ywtb.common.sms_simulator.api import build_api
from ywtb.common.sms_simulator.config import SimulatorSettings
from ywtb.common.sms_simulator.page import build_page
from ywtb.common.sms_simulator.simulator import build


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The application on its SQLite file."""
    sim = build(settings)
    return simulator_app(
        "短信平台（模拟器）",
        key=settings.sms_key.get_secret_value(),
        signing=SMS_SIGNING,
        routers=[build_api(sim), build_page(sim)],
        on_stop=[sim.db.dispose],
    )
