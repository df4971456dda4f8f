"""Login at the issuer (Keycloak, or the gateway's built-in one): authorization code with PKCE."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from ywtb.common.auth.jwks import JwksClient
from ywtb.common.auth.tokens import TokenValidator
from ywtb.common.errors import Unauthenticated, Unavailable
from ywtb.portal.gateway import MSG_UNAVAILABLE, MSG_UNAVAILABLE_EN, GatewayError

PROTOCOL = "/protocol/openid-connect"


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcClient:
    """The issuer's endpoints: browsers go to the public issuer, the portal posts to the internal one."""

    def __init__(
        self,
        public_issuer: str,
        internal_issuer: str,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.public_issuer = public_issuer.rstrip("/")
        self.internal_issuer = internal_issuer.rstrip("/")
        self._http = httpx.Client(timeout=timeout_s, transport=transport)
        self._discovery: dict[str, Any] | None = None
        self._keys = JwksClient(f"{self.internal_issuer}{PROTOCOL}/certs", http_client=self._http)

    def id_token_is_for(self, id_token: str, client_id: str, nonce: str) -> bool:
        """The ID token is the issuer's, for this client, unexpired, and carries this login's nonce
        (OpenID Connect Core 3.1.3.7: no replayed or injected token is taken)."""
        validator = TokenValidator(self.public_issuer, client_id, self._keys, token_type="ID")
        try:
            claims = validator.validate(id_token)
        except (Unauthenticated, Unavailable):
            return False
        sent = claims.get("nonce")
        return bool(nonce) and isinstance(sent, str) and hmac.compare_digest(sent, nonce)

    def authorization_url(
        self,
        client_id: str,
        redirect_uri: str,
        state: str,
        challenge: str,
        nonce: str,
        lang: str,
        fresh: bool = False,
    ) -> str:
        """Where the browser logs in; `fresh` asks for the password even inside a single sign-on session."""
        query = {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "ui_locales": "en" if lang == "en" else "zh-CN",
        }
        if fresh:
            query["prompt"] = "login"
        return f"{self.public_issuer}{PROTOCOL}/auth?{urlencode(query)}"

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._http.post(f"{self.internal_issuer}{PROTOCOL}/token", data=form)
        except httpx.HTTPError as exc:
            raise GatewayError(503, "UNAVAILABLE", MSG_UNAVAILABLE, MSG_UNAVAILABLE_EN) from exc
        body = response.json() if response.content else {}
        if response.status_code != 200 or "access_token" not in body:
            raise GatewayError(
                401,
                "UNAUTHENTICATED",
                "登录未完成，请重新登录。",
                "Login did not complete; please log in again.",
            )
        body["expires_at"] = time.time() + float(body.get("expires_in", 300))
        return body

    def exchange(self, client_id: str, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """Redeem the authorization code for tokens."""
        return self._token(
            {
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )

    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        """New tokens from a refresh token (Keycloak; the built-in issuer issues none)."""
        return self._token(
            {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
        )

    def logout_url(self, client_id: str, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """The issuer's end-session address, when it has one."""
        if self._discovery is None:
            try:
                url = f"{self.internal_issuer}/.well-known/openid-configuration"
                self._discovery = self._http.get(url).json()
            except (httpx.HTTPError, ValueError):
                return None
        if not self._discovery.get("end_session_endpoint"):
            return None
        query = {"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{self.public_issuer}{PROTOCOL}/logout?{urlencode(query)}"

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()
