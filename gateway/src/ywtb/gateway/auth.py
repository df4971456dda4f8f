"""Bearer token authentication: FastAPI dependencies that turn a token into the request's principal."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ywtb.api.common.v1 import common_pb2
from ywtb.common.auth.issuer import BuiltinIssuer
from ywtb.common.auth.jwks import JwksClient
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.tokens import TokenValidator, principal_from_claims
from ywtb.common.context import bound
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc.diagnostics import principal_to_proto
from ywtb.gateway.config import GatewaySettings
from ywtb.gateway.contract.answers import answers
from ywtb.gateway.routes.grpc_json import to_json
from ywtb.gateway.token_cache import ValidatedTokens

logger = logging.getLogger("ywtb.gateway.auth")

# auto_error=False: a missing or non-Bearer header is answered by our own 401, in the common shape.
_bearer = HTTPBearer(auto_error=False, description="统一身份认证签发的访问令牌（Bearer JWT）")


def build_token_validator(settings: GatewaySettings, issuer: BuiltinIssuer | None = None) -> TokenValidator:
    """The validator the settings ask for: the built-in issuer's keys, or Keycloak's JWKS."""
    if settings.auth_mode == "builtin":
        issuer = issuer or build_builtin_issuer(settings)
        return issuer.validator(leeway_s=settings.token_leeway_s)
    jwks = JwksClient(
        settings.jwks_url,
        timeout_s=settings.jwks_timeout_s,
        cache_ttl_s=settings.jwks_cache_ttl_s,
        min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
    )
    return TokenValidator(
        settings.oidc_issuer, settings.oidc_audience, jwks, leeway_s=settings.token_leeway_s
    )


def build_builtin_issuer(settings: GatewaySettings) -> BuiltinIssuer:
    """The built-in issuer of the embedded default (its key is created on first use)."""
    return BuiltinIssuer(settings.issuer_key_path(), settings.oidc_issuer, settings.oidc_audience)


async def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        raise Unauthenticated(message_en="a bearer token is required")
    validator: TokenValidator = request.app.state.token_validator
    seen: ValidatedTokens | None = getattr(request.app.state, "validated_tokens", None)
    claims = seen.get(credentials.credentials) if seen is not None else None
    if claims is None:
        # The JWKS may have to be fetched (blocking HTTP with a timeout): keep it off the event loop.
        claims = await run_in_threadpool(validator.validate, credentials.credentials)
        if seen is not None:
            seen.put(credentials.credentials, claims)
    principal = principal_from_claims(claims)
    request.state.principal = principal
    return principal


async def require_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AsyncIterator[Principal]:
    """The caller's principal from a valid bearer token, bound for the request (401 otherwise).

    While bound, gRPC calls through ywtb.common.grpc.channel carry it signed with the internal key.
    """
    principal = await _authenticate(request, credentials)
    with bound(principal=principal):
        yield principal


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AsyncIterator[Principal | None]:
    """The caller's principal when a token is sent (an invalid one is still a 401), else None."""
    if credentials is None and not request.headers.get("authorization"):
        yield None
        return
    principal = await _authenticate(request, credentials)
    with bound(principal=principal):
        yield principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def build_me_router() -> APIRouter:
    """GET /api/v1/me: who the gateway thinks the caller is (common.v1.Principal)."""
    router = APIRouter(prefix="/api/v1", tags=["identity"])

    @router.get("/me", summary="当前登录用户", **answers(common_pb2.Principal, errors=(401,)))
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return to_json(principal_to_proto(principal))

    return router
