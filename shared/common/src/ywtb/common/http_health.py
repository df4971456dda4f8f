"""Liveness (/healthz) and readiness (/readyz) endpoints of the HTTP components (gateway, portal)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[object]]
"""An async callable that raises (or returns False) when a dependency is not ready."""

logger = logging.getLogger("ywtb.common.http_health")


def check_name(check: ReadinessCheck) -> str:
    """The name a readiness check is reported under."""
    return getattr(check, "__name__", None) or type(check).__name__


async def _run(check: ReadinessCheck, timeout: float) -> str | None:
    """None when the check passes, else a short reason (details go to the log only)."""
    try:
        result = await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        reason = f"timed out after {timeout:g}s"
    except Exception as exc:
        logger.warning("readiness check %s failed", check_name(check), exc_info=exc)
        reason = f"failed: {type(exc).__name__}"
    else:
        if result is not False:
            return None
        reason = "not ready"
    return reason


def build_health_router(checks: Sequence[ReadinessCheck] = (), timeout_seconds: float = 2.0) -> APIRouter:
    """A router with /healthz (process alive) and /readyz (every readiness check passes)."""
    router = APIRouter(tags=["health"], include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        reasons = await asyncio.gather(*(_run(check, timeout_seconds) for check in checks))
        results = {check_name(c): reason or "ok" for c, reason in zip(checks, reasons, strict=True)}
        failed = [check_name(c) for c, reason in zip(checks, reasons, strict=True) if reason]
        if failed:
            logger.warning("not ready: %s", ", ".join(f"{name} {results[name]}" for name in failed))
            return JSONResponse(
                {"status": "unavailable", "failed": failed, "checks": results}, status_code=503
            )
        return JSONResponse({"status": "ok", "checks": results})

    return router
