"""The portal application: sessions, language, security headers, error pages, the area routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import redis
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ywtb.common.http_health import build_health_router
from ywtb.portal.body_limit import BodyLimit
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway, GatewayError
from ywtb.portal.hidden_keys import hide_keys_in_logs
from ywtb.portal.i18n import LANGS, translate
from ywtb.portal.oidc import OidcClient
from ywtb.portal.routes.admin import build_admin_router
from ywtb.portal.routes.auth import LANG_COOKIE, build_auth_router
from ywtb.portal.routes.citizen import build_citizen_router
from ywtb.portal.routes.workbench import build_workbench_router
from ywtb.portal.session import COOKIE, LocalSessionStore, RedisSessionStore, Session, SessionStore
from ywtb.portal.web import CsrfFailed, Forbidden, LoginRequired, get_page, login_url

log = logging.getLogger("ywtb.portal")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' http: https:"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
UNAVAILABLE_PAGE = (
    '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>服务暂时不可用</title>'
    "<p>服务暂时不可用，请稍后刷新重试。The service is temporarily unavailable; please retry shortly.</p>"
)


def session_store(settings: PortalSettings) -> SessionStore:
    """Redis when configured (every replica shares it), else this process."""
    return RedisSessionStore(settings.redis_url) if settings.redis_url else LocalSessionStore()


def create_app(
    settings: PortalSettings,
    gateway: Gateway | None = None,
    oidc: OidcClient | None = None,
    store: SessionStore | None = None,
) -> FastAPI:
    """The portal with its routers and middleware."""
    app = FastAPI(title="ywtb portal", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.gateway = gateway or Gateway(settings.gateway_url, settings.gateway_timeout_s)
    app.state.oidc = oidc or OidcClient(settings.oidc_issuer, settings.oidc_internal_issuer)
    app.state.sessions = store or session_store(settings)
    hide_keys_in_logs()  # the rating codes and 查询码 in the addresses logged
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.middleware("http")
    async def sessions(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        sessions: SessionStore = app.state.sessions
        request.state.lang = (
            request.cookies.get(LANG_COOKIE) if request.cookies.get(LANG_COOKIE) in LANGS else "zh"
        )
        if request.url.path.startswith("/static/") or request.url.path in ("/healthz", "/readyz"):
            return await call_next(request)
        session_id = request.cookies.get(COOKIE, "")
        try:
            data = await run_in_threadpool(sessions.load, session_id) if session_id else None
        except (redis.RedisError, OSError):
            log.exception("session store unavailable")
            return HTMLResponse(UNAVAILABLE_PAGE, 503, headers={"Retry-After": "5", **SECURITY_HEADERS})
        session = Session(session_id if data is not None else "", data)
        if not session.id:
            session.rotate()
        request.state.session = session
        response = await call_next(request)
        try:
            if session.changed:
                await run_in_threadpool(sessions.save, session.id, dict(session), settings.session_idle_s)
            else:  # only the idle timeout moves
                await run_in_threadpool(sessions.extend, session.id, settings.session_idle_s)
            if getattr(session, "old_id", "") and session.old_id != session.id:
                await run_in_threadpool(sessions.delete, session.old_id)
        except (redis.RedisError, OSError):
            log.exception("session store unavailable")
            return HTMLResponse(UNAVAILABLE_PAGE, 503, headers={"Retry-After": "5", **SECURITY_HEADERS})
        if session.id != session_id:
            response.set_cookie(
                COOKIE, session.id, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/"
            )
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        page = get_page(request)
        if exc.reason != "auth.login_first":
            page.flash(page.t(exc.reason), "info")
        # a form posted after the login has gone: keep what was typed, come back to the form's page
        back = await page.keep_draft(exc.area) if request.method == "POST" else exc.next_url
        return RedirectResponse(login_url(exc.area, back), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        page = get_page(request)
        return page.error(403, page.t(exc.reason))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        page = get_page(request)
        return page.error(403, page.t("error.csrf"))

    @app.exception_handler(GatewayError)
    async def _gateway_error(request: Request, exc: GatewayError) -> Response:
        return get_page(request).failure(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "error.not_found", 413: "error.too_large"}.get(exc.status_code, "error.title")
        mib = settings.max_request_bytes // (1024 * 1024)
        if not hasattr(request.state, "session"):
            text = translate(getattr(request.state, "lang", "zh"), key, mib=mib)
            return HTMLResponse(text, exc.status_code, headers=exc.headers)
        page = get_page(request)
        return page.error(exc.status_code, page.t(key, mib=mib))

    async def sessions_ready() -> bool:
        return await run_in_threadpool(app.state.sessions.ping)

    sessions_ready.__name__ = "sessions"
    app.include_router(build_health_router([sessions_ready]))
    app.include_router(build_auth_router())
    app.include_router(build_citizen_router())
    app.include_router(build_workbench_router(), prefix="/workbench")
    app.include_router(build_admin_router(), prefix="/admin")

    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the pooled connections at shutdown."""
    yield
    app.state.gateway.close()
    app.state.oidc.close()
