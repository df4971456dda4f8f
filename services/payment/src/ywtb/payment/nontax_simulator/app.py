"""The simulator's FastAPI application: health, the signed /v1 API and the pay page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ywtb.common.http_health import build_health_router
from ywtb.common.signed_http.asgi import SignedExchange
from ywtb.common.signed_http.nonces import MemoryNonceStore
from ywtb.payment.nontax.signing import NONTAX
from ywtb.payment.nontax_simulator.api import build_api
from ywtb.payment.nontax_simulator.config import SimulatorSettings
from ywtb.payment.nontax_simulator.pay_page import build_pay_page
from ywtb.payment.nontax_simulator.refusals import Refusal
from ywtb.payment.nontax_simulator.simulator import build


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The application on its SQLite file; the callback sender runs while the app does."""
    sim = build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sim.sender.start()
        try:
            yield
        finally:
            sim.sender.stop()
            sim.db.dispose()

    app = FastAPI(title="非税收入统一缴款平台（模拟器）", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(build_health_router())
    app.include_router(build_api(sim))
    app.include_router(build_pay_page(sim))

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        return JSONResponse(refusal.to_dict(), status_code=refusal.status)

    app.add_middleware(
        SignedExchange, key=settings.nontax_key.get_secret_value(), nonces=MemoryNonceStore(), signing=NONTAX
    )
    return app
