"""What every page handler uses: the session, the signed-in user per area, gateway calls, rendering."""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ywtb.portal import drafts
from ywtb.portal.config import PortalSettings
from ywtb.portal.gateway import Gateway, GatewayError
from ywtb.portal.i18n import translate
from ywtb.portal.oidc import OidcClient
from ywtb.portal.roles import has_role
from ywtb.portal.session import Session

# citizen: the portal client (citizens, legal-person agents); staff: the workbench client (workbench, admin)
Area = Literal["citizen", "staff"]
REFRESH_MARGIN_S = 30
LAST_LOGIN = "last_login"  # session key: area → subject of the last login signed out (whose drafts to keep)
# The frame of each area's pages: path prefix → (layout template, home, text of the way back)
AREA_FRAMES = {
    "/workbench": ("workbench/_layout.html", "/workbench/", "workbench.error.back"),
    "/admin": ("admin/_layout.html", "/admin/", "admin.back_overview"),
}

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginRequired(Exception):
    """The page needs a login of `area`; the handler redirects to /login and back to `next_url`."""

    def __init__(self, area: Area, next_url: str, reason: str = "auth.login_first") -> None:
        super().__init__(area)
        self.area = area
        self.next_url = next_url
        self.reason = reason


class Forbidden(Exception):
    """The signed-in user may not open the page (message key)."""

    def __init__(self, reason: str = "auth.forbidden") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Page:
    """One request's view of the portal: language, session, user, gateway."""

    request: Request
    session: Session
    settings: PortalSettings
    gateway: Gateway
    oidc: OidcClient
    lang: str
    context: dict[str, Any] = field(default_factory=dict)

    def t(self, key: str, **values: object) -> str:
        """Translate `key` into the page's language."""
        return translate(self.lang, key, **values)

    def message(self, error: GatewayError) -> str:
        """The gateway's message in the page's language."""
        return error.message_en if self.lang == "en" else error.message

    # -- the signed-in user

    def user(self, area: Area) -> dict[str, Any] | None:
        """The signed-in user of `area` (name, roles, tenant, dept, ...) or None."""
        auth = self.session.get("auth", {}).get(area)
        return auth["me"] if auth else None

    def require(
        self, area: Area, roles: frozenset[str] | set[str] | None = None, forbidden: str = ""
    ) -> dict[str, Any]:
        """The user of `area`; LoginRequired when nobody is signed in, Forbidden (`forbidden`: its message
        key) without one of `roles`."""
        user = self.user(area)
        if user is None:
            raise LoginRequired(area, self.current_url())
        if roles is not None and not has_role(user, roles):
            raise Forbidden(forbidden or ("auth.staff_only" if area == "staff" else "auth.forbidden"))
        return user

    def current_url(self) -> str:
        """Path and query of this request (for coming back after login)."""
        url = self.request.url
        return url.path + (f"?{url.query}" if url.query else "")

    def _token(self, area: Area) -> str:
        auth = self.session.get("auth", {}).get(area)
        if not auth:
            raise LoginRequired(area, self.current_url())
        if auth["expires_at"] - REFRESH_MARGIN_S < time.time():
            if not auth.get("refresh_token"):
                raise self.login_expired(area)
            try:
                tokens = self.oidc.refresh(self.client_id(area), auth["refresh_token"])
            except GatewayError:
                raise self.login_expired(area) from None
            auth.update(
                access_token=tokens["access_token"],
                refresh_token=tokens.get("refresh_token", auth["refresh_token"]),
                expires_at=tokens["expires_at"],
            )
            self.session.touch()
        return auth["access_token"]

    def client_id(self, area: Area) -> str:
        """The OIDC client of `area`."""
        return self.settings.citizen_client_id if area == "citizen" else self.settings.staff_client_id

    def sign_out(self, area: Area) -> None:
        """Forget the login of `area` (remembering whose it was: their drafts are kept for them)."""
        auth = self.session.get("auth", {}).pop(area, None)
        if auth:
            self.session.setdefault(LAST_LOGIN, {})[area] = auth["me"].get("subject", "")
        self.session.touch()

    def login_expired(self, area: Area) -> LoginRequired:
        """Sign out of `area`, whose token the issuer or the gateway no longer takes; raise what it returns."""
        self.sign_out(area)
        return LoginRequired(area, self.current_url(), "auth.expired")

    # -- gateway calls

    def api(self, area: Area | None, method: str, path: str, **kwargs: Any) -> Any:
        """Call the gateway as the user of `area` (None: anonymously); a 401 means log in again."""
        token = self._token(area) if area else None
        try:
            return self.gateway.call(method, path, token, **kwargs)
        except GatewayError as error:
            if error.status == 401 and area:
                raise self.login_expired(area) from error
            raise

    def get(self, area: Area | None, path: str, **params: Any) -> Any:
        """GET with query parameters."""
        return self.api(area, "GET", path, params=params)

    def post(self, area: Area, path: str, body: Any = None, **kwargs: Any) -> Any:
        """POST a JSON body."""
        return self.api(area, "POST", path, json=body if body is not None else {}, **kwargs)

    def token(self, area: Area) -> str:
        """The user's access token (for streaming downloads)."""
        return self._token(area)

    # -- forms and responses

    async def form(self) -> dict[str, Any]:
        """The posted form, after checking its CSRF token (Forbidden-like 403 page when it is wrong)."""
        form = await self.request.form()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent, self.session["csrf"]):
            raise CsrfFailed()
        return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}

    def flash(self, text: str, kind: Literal["success", "info", "error"] = "success") -> None:
        """A message for the next page shown."""
        self.session.setdefault("flash", []).append({"kind": kind, "text": text})
        self.session.touch()

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render `template` with the layout's context (user, language, CSRF token, flashes)."""
        flashes = self.session.pop("flash", []) if self.session.get("flash") else []
        return templates.TemplateResponse(
            self.request,
            template,
            {
                "page": self,
                "t": self.t,
                "lang": self.lang,
                "csrf": self.session["csrf"],
                "citizen": self.user("citizen"),
                "staff": self.user("staff"),
                "flashes": flashes,
                "errors": {},
                "values": {},
                **self.context,
                **context,
            },
            status_code=status_code,
        )

    def error(self, status_code: int, message: str, request_id: str = "") -> HTMLResponse:
        """The error page in the frame of the area the request is in."""
        layout, home, back = next(
            (frame for prefix, frame in AREA_FRAMES.items() if self.request.url.path.startswith(prefix)),
            ("base.html", "/", "error.back_home"),
        )
        return self.render(
            "error.html",
            status_code,
            message=message,
            request_id=request_id,
            layout=layout,
            back_url=home,
            back_text=self.t(back),
        )

    def failure(self, error: GatewayError) -> HTMLResponse:
        """The gateway's refusal (403, 404, ...) as the error page, in the page's language."""
        return self.error(error.status, self.message(error), error.request_id)

    def redirect(self, url: str) -> RedirectResponse:
        """303 See Other to `url` (after a POST)."""
        return RedirectResponse(url, status_code=303)

    # -- drafts: nothing typed is lost when the login is gone at a POST

    async def keep_draft(self, area: Area) -> str:
        """Keep this POST's text fields for the user of `area` who was signed out; the page to come back to."""
        back = self.form_page()
        owner = self.session.get(LAST_LOGIN, {}).get(area)
        try:
            form = await self.request.form()
        except HTTPException:  # a body that is no form
            return back
        if owner and hmac.compare_digest(str(form.get("csrf", "")), self.session["csrf"]):
            fields = drafts.text_fields(form)
            drafts.keep(self.session, urlsplit(back).path, self.request.url.path, (area, owner), fields)
        return back

    def take_draft(self, area: Area, action: str | None = None) -> drafts.Draft | None:
        """What this user posted from this page to `action` (a regex; default: this page) when the login was
        gone, once; with a message asking to check it and submit again."""
        user = self.user(area) or {}
        path = self.request.url.path
        draft = drafts.take(self.session, path, (area, user.get("subject", "")), action or re.escape(path))
        if draft is not None:
            self.flash(self.t("draft.restored"), "info")
        return draft

    def form_page(self) -> str:
        """Path and query of the page this POST's form was on: the Referer when it is this site's, else
        the POST's own address; the nearest address above it that a GET serves when it is an action."""
        referer = urlsplit(self.request.headers.get("referer", ""))
        sites = {self.request.url.netloc, urlsplit(self.settings.public_url).netloc}
        url = referer if referer.netloc and referer.netloc in sites else self.request.url
        path, query = url.path, url.query
        while path not in ("", "/") and not self._served(path):
            path, query = path.rsplit("/", 1)[0], ""
        return (path or "/") + (f"?{query}" if query else "")

    def _served(self, path: str) -> bool:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        return any(route.matches(scope)[0] == Match.FULL for route in self.request.app.router.routes)


class CsrfFailed(Exception):
    """A posted form without this session's CSRF token."""


def login_url(area: Area, next_url: str) -> str:
    """The portal's login address for `area`, coming back to `next_url`."""
    return f"/login?area={area}&next={quote(next_url, safe='')}"


def get_page(request: Request) -> Page:
    """The Page of the request (the session middleware has attached the session)."""
    state = request.app.state
    return Page(
        request=request,
        session=request.state.session,
        settings=state.settings,
        gateway=state.gateway,
        oidc=state.oidc,
        lang=request.state.lang,
    )


CurrentPage = Annotated[Page, Depends(get_page)]
