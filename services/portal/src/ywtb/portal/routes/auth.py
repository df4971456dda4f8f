"""Login and logout (authorization code + PKCE at the issuer) and the language switch."""

from __future__ import annotations

import secrets
from typing import cast

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from ywtb.portal.gateway import GatewayError
from ywtb.portal.i18n import LANGS
from ywtb.portal.oidc import pkce_pair
from ywtb.portal.roles import STAFF_ROLES, has_role
from ywtb.portal.web import Area, CurrentPage, Page

MAX_PENDING_LOGINS = 5
LANG_COOKIE = "lang"


def safe_next(url: str | None, default: str = "/") -> str:
    """`url` when it is a path of this site, else `default` (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def build_auth_router() -> APIRouter:
    """GET /login, GET /auth/callback, POST /logout, GET /lang."""
    router = APIRouter()

    @router.get("/login")
    def login(page: CurrentPage, area: str = "citizen", next: str = "/") -> Response:
        if area not in ("citizen", "staff"):
            area = "citizen"
        verifier, challenge = pkce_pair()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(16)
        pending = page.session.get("pending_login", {})
        while len(pending) >= MAX_PENDING_LOGINS:
            pending.pop(next_key(pending))
        default = "/workbench/" if area == "staff" else "/"
        pending[state] = {
            "area": area,
            "verifier": verifier,
            "nonce": nonce,
            "next": safe_next(next, default),
        }
        page.session["pending_login"] = pending
        # Staff always type their password; nobody is silently signed in as the other area's account.
        other: Area = "citizen" if area == "staff" else "staff"
        fresh = area == "staff" or page.user(other) is not None
        url = page.oidc.authorization_url(
            page.client_id(cast(Area, area)), redirect_uri(page), state, challenge, nonce, page.lang, fresh
        )
        return RedirectResponse(url, status_code=302)

    @router.get("/auth/callback")
    def callback(page: CurrentPage, state: str = "", code: str = "", error: str = "") -> Response:
        pending = page.session.get("pending_login", {}).pop(state, None)
        page.session.touch()
        if pending is None or error or not code:
            return page.error(400, page.t("auth.bad_state"))
        area = cast(Area, pending["area"])
        try:
            tokens = page.oidc.exchange(page.client_id(area), code, redirect_uri(page), pending["verifier"])
            id_token, nonce = tokens.get("id_token", ""), pending.get("nonce", "")
            if not page.oidc.id_token_is_for(id_token, page.client_id(area), nonce):
                return page.error(400, page.t("auth.bad_state"))
            me = page.gateway.call("GET", "/api/v1/me", tokens["access_token"])
        except GatewayError as failure:
            return page.error(failure.status, page.message(failure))
        if area == "staff" and not has_role(me, STAFF_ROLES):
            return page.error(403, page.t("auth.staff_only"))
        page.session.setdefault("auth", {})[area] = {
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token", ""),
            "id_token": tokens.get("id_token", ""),
            "expires_at": tokens["expires_at"],
            "me": me,
        }
        page.session.rotate()
        return page.redirect(pending["next"])

    @router.post("/logout")
    async def logout(page: CurrentPage) -> Response:
        form = await page.form()
        area: Area = "staff" if form.get("area") == "staff" else "citizen"
        auth = page.session.get("auth", {}).get(area) or {}
        page.sign_out(area)
        home = page.settings.public_url + ("/workbench/" if area == "staff" else "/")
        url = page.oidc.logout_url(page.client_id(area), auth.get("id_token", ""), home) if auth else None
        return page.redirect(url or home)

    @router.get("/lang")
    def switch_language(to: str = "zh", next: str = "/") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(LANG_COOKIE, to if to in LANGS else "zh", max_age=365 * 86400, samesite="lax")
        return response

    return router


def next_key(pending: dict[str, object]) -> str:
    """The oldest pending login (dicts keep insertion order)."""
    return next(iter(pending))


def redirect_uri(page: Page) -> str:
    """Where the issuer sends the browser back to."""
    return page.settings.public_url + "/auth/callback"
