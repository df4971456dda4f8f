"""The gateway application factory."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from ywtb.gateway.config import GatewaySettings
from ywtb.gateway.errors import install_exception_handlers
from ywtb.gateway.health import ReadinessCheck, build_health_router
from ywtb.gateway.middleware import RequestContextMiddleware

TITLE = "ywtb 一网通办 API"
DESCRIPTION = "一网通办统一对外接口：事项指南、在线申报、办件查询、电子证照、缴费与好差评。"


def _version() -> str:
    try:
        return version("ywtb-gateway")
    except PackageNotFoundError:
        return "0.0.0"


def create_app(settings: GatewaySettings, readiness_checks: Sequence[ReadinessCheck] = ()) -> FastAPI:
    """Build the gateway: error handlers, request middleware, health endpoints and the API routes."""
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=_version(),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_exception_handlers(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    app.include_router(build_health_router(list(readiness_checks), settings.readiness_timeout_seconds))
    return app
