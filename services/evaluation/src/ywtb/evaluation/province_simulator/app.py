"""The simulator's FastAPI application: health, the signed /v1 API and the demo page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ywtb.common.http_health import build_health_router
from ywtb.common.signed_http.asgi import SignedExchange
from ywtb.common.signed_http.nonces import MemoryNonceStore
from ywtb.common.signed_http.refusals import Refusal
from ywtb.evaluation.province.wire import HAOCP
from ywtb.evaluation.province_simulator.api import build_api
from ywtb.evaluation.province_simulator.config import SimulatorSettings
from ywtb.evaluation.province_simulator.page import build_page
from ywtb.evaluation.province_simulator.simulator import build


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The application on its SQLite file."""
    sim = build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sim.db.dispose()

    app = FastAPI(title="省好差评系统（模拟器）", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(build_health_router())
    app.include_router(build_api(sim))
    app.include_router(build_page(sim))

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        return JSONResponse(refusal.to_dict(), status_code=refusal.status)

    key = settings.province_key.get_secret_value()
    app.add_middleware(SignedExchange, key=key, nonces=MemoryNonceStore(), signing=HAOCP)
    return app
