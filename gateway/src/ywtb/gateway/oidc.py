"""The built-in issuer's OIDC endpoints (embedded default), at the paths Keycloak's realm `ywtb` uses.

Authorization code with PKCE (S256 only) for the portal and workbench, and the password grant
for demo and test clients. Passwords are checked by the identity service (AuthenticatePassword).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import grpc
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ywtb.api.identity.v1 import identity_pb2, identity_pb2_grpc
from ywtb.common.auth.issuer import BuiltinIssuer
from ywtb.common.auth.principal import Principal
from ywtb.common.context import bound
from ywtb.common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    NotFound,
    Unauthenticated,
    Unavailable,
    YwtbError,
)
from ywtb.common.grpc import channel

logger = logging.getLogger("ywtb.gateway.oidc")

REALM_PREFIX = "/realms/ywtb"
OIDC_PREFIX = REALM_PREFIX + "/protocol/openid-connect"
GATEWAY_PRINCIPAL = Principal(subject="gateway", roles=frozenset({"service"}), subject_type="service")
CODE_TTL_S = 60
MAX_PENDING_CODES = 10_000
MAX_FORM_BYTES = 16 * 1024
MAX_PARAM_CHARS = 512
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_PATTERN = re.compile(r"^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\*|[0-9]{1,5}))?(/[^?#]*)?$")

MSG_BAD_CLIENT = "未知的应用（client_id），请从政务服务门户或工作台重新登录。"
MSG_BAD_REDIRECT = "回调地址（redirect_uri）不在允许范围内，请从政务服务门户或工作台重新登录。"
MSG_BAD_REQUEST = "登录请求不完整：须为授权码模式（response_type=code）并带 PKCE 参数（code_challenge，S256）。请从门户重新发起登录。"
MSG_BAD_CREDENTIALS = "用户名或密码错误，请重新输入。"
MSG_MISSING_CREDENTIALS = "请输入用户名和密码。"
MSG_USE_IDP = "请通过统一身份认证平台登录。"
MSG_UNAVAILABLE = "统一身份认证服务暂时不可用，请稍后重试。"
MSG_THROTTLED = "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。"
MSG_BAD_CODE = "授权码无效、已使用或已过期，请重新登录。"
MSG_BAD_VERIFIER = "PKCE 校验失败（code_verifier 与 code_challenge 不符），请重新登录。"
MSG_GRANT_MISMATCH = "授权码与应用或回调地址不符，请重新登录。"
MSG_UNSUPPORTED_GRANT = "不支持的授权类型（grant_type）。"
MSG_BAD_FORM = "请求格式不正确，请以 application/x-www-form-urlencoded 表单提交。"


# ---------------------------------------------------------------- redirect URIs


@dataclass(frozen=True)
class RedirectPattern:
    """An allowed redirect URI: scheme and host exact, port exact or any (*), path a prefix."""

    scheme: str
    host: str
    port: str | None  # None: no port given; "*": any port
    path_prefix: str

    def matches(self, uri: str) -> bool:
        """True when `uri` is allowed by this pattern."""
        try:
            parts = urlsplit(uri)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme != self.scheme or parts.username or parts.password or parts.fragment:
            return False
        if (parts.hostname or "") != self.host.lower().strip("[]"):
            return False
        if self.port != "*" and (str(port) if port is not None else None) != self.port:
            return False
        path, prefix = parts.path or "/", self.path_prefix
        return path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/")


def parse_redirect_pattern(pattern: str) -> RedirectPattern:
    """A pattern such as http://127.0.0.1:*/ or https://portal.example.gov.cn/callback."""
    match = _PATTERN.match(pattern)
    if not match:
        raise ValueError(f"not a redirect URI pattern (scheme://host[:port|:*]/path): {pattern!r}")
    scheme, host, port, path = match.groups()
    return RedirectPattern(scheme, host, port, path or "/")


def redirect_allowed(uri: str, patterns: list[RedirectPattern]) -> bool:
    """True when `uri` is allowed by one of the patterns."""
    return bool(uri) and len(uri) <= 2048 and any(p.matches(uri) for p in patterns)


# ---------------------------------------------------------------- password check


class PasswordAuthenticator(Protocol):
    """Checks a username and password; raises a YwtbError (Unauthenticated for bad credentials)."""

    def authenticate(self, username: str, password: str) -> Principal:
        """The principal of the account."""
        ...


def principal_from_proto(message: object) -> Principal:
    """A Principal from a ywtb.api.common.v1.Principal message."""
    return Principal(
        subject=message.subject,  # type: ignore[attr-defined]
        tenant=message.tenant,  # type: ignore[attr-defined]
        roles=frozenset(message.roles),  # type: ignore[attr-defined]
        dept=message.dept,  # type: ignore[attr-defined]
        subject_type=message.subject_type,  # type: ignore[attr-defined]
        real_name_level=message.real_name_level,  # type: ignore[attr-defined]
        name=message.name,  # type: ignore[attr-defined]
    )


class IdentityPasswordAuthenticator:
    """Calls IdentityService.AuthenticatePassword as the gateway's service principal."""

    def __init__(self, target: str, signing_key: bytes, timeout_s: float = 3.0) -> None:
        self._target = target
        self._key = signing_key
        self._timeout_s = timeout_s
        self._channel: grpc.Channel | None = None
        self._lock = threading.Lock()

    def _stub(self) -> identity_pb2_grpc.IdentityServiceStub:
        with self._lock:
            if self._channel is None:
                self._channel = channel(
                    self._target,
                    signing_key=self._key,
                    principal=GATEWAY_PRINCIPAL,
                    default_timeout_s=self._timeout_s,
                )
            return identity_pb2_grpc.IdentityServiceStub(self._channel)

    def authenticate(self, username: str, password: str) -> Principal:
        """The principal of the account; YwtbError from the identity service otherwise."""
        request = identity_pb2.AuthenticatePasswordRequest(username=username, password=password)
        with bound(principal=GATEWAY_PRINCIPAL):  # never the (absent) end-user principal
            response = self._stub().AuthenticatePassword(request)
        return principal_from_proto(response.principal)

    def close(self) -> None:
        """Close the channel."""
        with self._lock:
            if self._channel is not None:
                self._channel.close()
                self._channel = None


class LoginThrottle:
    """Locks a username for a while after repeated failed logins (in memory, per gateway process)."""

    def __init__(
        self, max_failures: int = 5, window_s: float = 900, clock: Callable[[], float] = time.monotonic
    ):
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, username: str, now: float) -> list[float]:
        recent = [t for t in self._failures.get(username, []) if now - t < self.window_s]
        if recent:
            self._failures[username] = recent
        else:
            self._failures.pop(username, None)
        return recent

    def locked(self, username: str) -> bool:
        """True when the username has failed too often lately."""
        with self._lock:
            return len(self._recent(username.lower(), self._clock())) >= self.max_failures

    def failed(self, username: str) -> None:
        """Record a failed login."""
        with self._lock:
            now = self._clock()
            name = username.lower()
            self._failures[name] = [*self._recent(name, now), now]
            if len(self._failures) > 100_000:  # bounded memory: forget the oldest entries
                for name in list(self._failures)[:10_000]:
                    del self._failures[name]

    def succeeded(self, username: str) -> None:
        """Forget earlier failures."""
        with self._lock:
            self._failures.pop(username.lower(), None)


# ---------------------------------------------------------------- authorization codes


@dataclass(frozen=True)
class AuthorizationCode:
    """What an issued code stands for, until it is redeemed once or expires."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    principal: Principal
    username: str
    expires_at: float


class CodeStore:
    """Single-use authorization codes kept in memory for CODE_TTL_S seconds."""

    def __init__(self, ttl_s: float = CODE_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._codes: dict[str, AuthorizationCode] = {}
        self._lock = threading.Lock()

    def issue(self, **fields: object) -> str:
        """A new code for the given grant."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            for stale in [c for c, g in self._codes.items() if g.expires_at <= now]:
                del self._codes[stale]
            if len(self._codes) >= MAX_PENDING_CODES:
                raise Unavailable(message_en="too many pending authorization codes")
            self._codes[code] = AuthorizationCode(expires_at=now + self.ttl_s, **fields)  # type: ignore[arg-type]
        return code

    def redeem(self, code: str) -> AuthorizationCode | None:
        """The grant of a code, removing it; None when unknown, used or expired."""
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant


def s256(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------- HTML


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f6f9;margin:0}}
main{{max-width:360px;margin:8vh auto;background:#fff;padding:32px;border-radius:8px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}}
h1{{font-size:20px;margin:0 0 20px}} label{{display:block;margin:14px 0 6px}}
input[type=text],input[type=password]{{width:100%;box-sizing:border-box;padding:10px;font-size:16px}}
button{{margin-top:20px;width:100%;padding:12px;font-size:16px;background:#c62f2f;color:#fff;border:0;
border-radius:4px}} .error{{color:#b00020;background:#fdecea;padding:10px;border-radius:4px}}
</style></head>
<body><main>{body}</main></body></html>
"""

_FORM = """<h1>一网通办 统一身份认证</h1>
{error}
<form method="post" action="{action}" autocomplete="on">
{hidden}
<label for="username">用户名</label>
<input type="text" id="username" name="username" value="{username}" required autofocus autocomplete="username">
<label for="password">密码</label>
<input type="password" id="password" name="password" required autocomplete="current-password">
<button type="submit">登录</button>
</form>
"""

_AUTH_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status_code: int = 200, redirect_origin: str = "") -> HTMLResponse:
    headers = dict(_PAGE_HEADERS)
    if redirect_origin:  # browsers apply form-action to the redirect that follows the login post
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "form-action 'self'", f"form-action 'self' {redirect_origin}"
        )
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code, headers=headers)


def _error_page(message: str, status_code: int = 400) -> HTMLResponse:
    body = f'<h1>无法登录</h1><p class="error" role="alert">{html.escape(message)}</p>'
    return _page("无法登录", body, status_code)


def _login_form(
    params: Mapping[str, str], *, username: str = "", error: str = "", status_code: int = 200
) -> HTMLResponse:
    hidden = "\n".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
        for name in _AUTH_PARAMS
        if params.get(name)
    )
    body = _FORM.format(
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        action=html.escape(OIDC_PREFIX + "/auth"),
        hidden=hidden,
        username=html.escape(username),
    )
    target = urlsplit(params.get("redirect_uri", ""))  # already checked against the allowed patterns
    origin = (
        f"{target.scheme}://{target.netloc}" if target.scheme in ("http", "https") and target.netloc else ""
    )
    return _page("统一身份认证 - 登录", body, status_code, redirect_origin=origin)


def _oauth_error(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


async def _form(request: Request) -> dict[str, str] | None:
    """The url-encoded form of a POST (first value of each field), or None when it is not one."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        return None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


# ---------------------------------------------------------------- the router


class BuiltinOidc:
    """The OIDC provider of the embedded default: login form, codes, tokens, discovery, keys."""

    def __init__(
        self,
        issuer: BuiltinIssuer,
        authenticator: PasswordAuthenticator,
        *,
        clients: list[str],
        redirect_patterns: list[str],
        token_ttl_s: int = 1800,
        password_grant: bool = True,
        codes: CodeStore | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.issuer = issuer
        self.authenticator = authenticator
        self.clients = frozenset(clients)
        self.redirect_patterns = [parse_redirect_pattern(p) for p in redirect_patterns]
        self.token_ttl_s = token_ttl_s
        self.password_grant = password_grant
        self.codes = codes or CodeStore()
        self.throttle = throttle or LoginThrottle()

    # -- helpers

    def _check_auth_request(self, params: Mapping[str, str]) -> HTMLResponse | None:
        """An error page when the authorization request is not acceptable, else None."""
        if any(
            len(params.get(name, "")) > MAX_PARAM_CHARS for name in _AUTH_PARAMS if name != "redirect_uri"
        ):
            return _error_page(MSG_BAD_REQUEST)
        if params.get("client_id", "") not in self.clients:
            return _error_page(MSG_BAD_CLIENT)
        if not redirect_allowed(params.get("redirect_uri", ""), self.redirect_patterns):
            return _error_page(MSG_BAD_REDIRECT)
        if (
            params.get("response_type") != "code"
            or params.get("code_challenge_method") != "S256"
            or not _CHALLENGE.match(params.get("code_challenge", ""))
        ):
            return _error_page(MSG_BAD_REQUEST)
        return None

    async def _login(self, username: str, password: str) -> tuple[Principal | None, str, int]:
        """(principal, "", 200) on success, else (None, Chinese message, HTTP status)."""
        if not username or not password:
            return None, MSG_MISSING_CREDENTIALS, 400
        if self.throttle.locked(username):
            logger.info("login refused: too many failures for this username")
            return None, MSG_THROTTLED, 429
        try:
            principal = await run_in_threadpool(self.authenticator.authenticate, username, password)
        except (Unauthenticated, NotFound):
            self.throttle.failed(username)
            logger.info("login failed: bad credentials")
            return None, MSG_BAD_CREDENTIALS, 401
        except FailedPrecondition as exc:
            logger.warning("login refused by the identity service: %s", exc.code)
            return None, MSG_USE_IDP, 409
        except (Unavailable, DeadlineExceeded) as exc:
            logger.warning("identity service unavailable for login: %s", exc.message_en or exc.code)
            return None, MSG_UNAVAILABLE, 503
        except YwtbError as exc:
            logger.error("login failed on an identity service error: %s %s", exc.code, exc.message_en)
            return None, MSG_UNAVAILABLE, 503
        self.throttle.succeeded(username)
        return principal, "", 200

    def _tokens(self, principal: Principal, client_id: str, username: str, nonce: str = "") -> JSONResponse:
        access = self.issuer.mint(principal, self.token_ttl_s, client_id, username=username)
        id_token = self.issuer.mint_id_token(
            principal, client_id, ttl_s=self.token_ttl_s, nonce=nonce or None, username=username
        )
        body = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_ttl_s,
            "id_token": id_token,
            "scope": "openid profile",
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- endpoints

    def discovery(self) -> dict[str, object]:
        """The OpenID Provider metadata (URLs from the configured issuer, never from Host)."""
        base = self.issuer.issuer_url + "/protocol/openid-connect"
        grants = ["authorization_code"] + (["password"] if self.password_grant else [])
        return {
            "issuer": self.issuer.issuer_url,
            "authorization_endpoint": base + "/auth",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/certs",
            "response_types_supported": ["code"],
            "grant_types_supported": grants,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "name",
                "preferred_username",
                "tenant",
                "dept",
                "roles",
                "real_name_level",
                "subject_type",
            ],
        }

    async def auth_form(self, request: Request) -> Response:
        """GET .../auth: the login form for a valid authorization request."""
        params = {k: v for k, v in request.query_params.items() if k in _AUTH_PARAMS}
        return self._check_auth_request(params) or _login_form(params)

    async def auth_submit(self, request: Request) -> Response:
        """POST .../auth: check the credentials, then redirect back with a code."""
        form = await _form(request)
        if form is None:
            return _error_page(MSG_BAD_FORM)
        params = {k: v for k, v in form.items() if k in _AUTH_PARAMS}
        refused = self._check_auth_request(params)  # hidden fields are input too: check again
        if refused is not None:
            return refused
        username = form.get("username", "").strip()
        principal, message, status = await self._login(username, form.get("password", ""))
        if principal is None:
            return _login_form(params, username=username, error=message, status_code=status)
        code = self.codes.issue(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce", ""),
            principal=principal,
            username=username,
        )
        query = {"code": code, "iss": self.issuer.issuer_url}
        if params.get("state"):
            query["state"] = params["state"]
        redirect_uri = params["redirect_uri"]
        separator = "&" if "?" in redirect_uri else "?"
        logger.info("login succeeded for client %s; code issued", params["client_id"])
        return RedirectResponse(
            redirect_uri + separator + urlencode(query), 302, headers={"Cache-Control": "no-store"}
        )

    async def token(self, request: Request) -> Response:
        """POST .../token: authorization_code (with PKCE) or password grants."""
        form = await _form(request)
        if form is None:
            return _oauth_error("invalid_request", MSG_BAD_FORM)
        client_id = form.get("client_id", "")
        if client_id not in self.clients:
            return _oauth_error("invalid_client", MSG_BAD_CLIENT, 401)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._redeem_code(form, client_id)
        if grant_type == "password" and self.password_grant:
            username = form.get("username", "").strip()
            principal, message, status = await self._login(username, form.get("password", ""))
            if principal is None:
                error = "invalid_grant" if status in (400, 401, 429) else "temporarily_unavailable"
                return _oauth_error(error, message, 400 if error == "invalid_grant" else 503)
            return self._tokens(principal, client_id, username)
        return _oauth_error("unsupported_grant_type", MSG_UNSUPPORTED_GRANT)

    def _redeem_code(self, form: Mapping[str, str], client_id: str) -> Response:
        grant = self.codes.redeem(form.get("code", ""))  # single use: gone even when the checks fail
        if grant is None:
            logger.info("token request refused: unknown, used or expired code")
            return _oauth_error("invalid_grant", MSG_BAD_CODE)
        if grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri", ""):
            logger.info(
                "token request refused: client or redirect_uri differs from the authorization request"
            )
            return _oauth_error("invalid_grant", MSG_GRANT_MISMATCH)
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.match(verifier) or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            logger.info("token request refused: PKCE verification failed")
            return _oauth_error("invalid_grant", MSG_BAD_VERIFIER)
        return self._tokens(grant.principal, client_id, grant.username, grant.nonce)

    def router(self) -> APIRouter:
        """The endpoints, at Keycloak's paths."""
        router = APIRouter(tags=["oidc"], include_in_schema=False)
        router.add_api_route(
            REALM_PREFIX + "/.well-known/openid-configuration", self.discovery, methods=["GET"]
        )
        router.add_api_route(OIDC_PREFIX + "/certs", self.issuer.jwks, methods=["GET"])
        router.add_api_route(OIDC_PREFIX + "/auth", self.auth_form, methods=["GET"])
        router.add_api_route(OIDC_PREFIX + "/auth", self.auth_submit, methods=["POST"])
        router.add_api_route(OIDC_PREFIX + "/token", self.token, methods=["POST"])
        return router
