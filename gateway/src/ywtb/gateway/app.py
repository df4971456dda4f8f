"""The gateway application factory."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType
from typing import Any

from fastapi import FastAPI

from ywtb.common.auth.issuer import BuiltinIssuer
from ywtb.common.auth.tokens import TokenValidator
from ywtb.common.components import registry
from ywtb.common.http_health import ReadinessCheck, build_health_router
from ywtb.gateway.auth import build_builtin_issuer, build_me_router, build_token_validator
from ywtb.gateway.config import GatewaySettings
from ywtb.gateway.errors import install_exception_handlers
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.middleware import RequestContextMiddleware
from ywtb.gateway.oidc import BuiltinOidc, IdentityPasswordAuthenticator, PasswordAuthenticator
from ywtb.gateway.routes.grpc_json import service_stub
from ywtb.gateway.token_cache import ValidatedTokens


def fronted_services() -> dict[str, tuple[Any, ModuleType]]:
    """The services the gateway fronts (its `calls` in deploy/components.yaml): name → (stub class, routes).

    The stub is <api>Stub of ywtb.api.<name>.v1.<name>_pb2_grpc; the routes module ywtb.gateway.routes.<name>
    has READS (methods safe to retry) and build_<name>_router(); the target is settings.<name>_target.
    """
    services = {}
    for name in registry()["gateway"].calls:
        package, service = str(registry()[name].api).rsplit(".", 1)
        stub = getattr(importlib.import_module(f"{package}.{name}_pb2_grpc"), f"{service}Stub")
        services[name] = (stub, importlib.import_module(f"ywtb.gateway.routes.{name}"))
    return services


TITLE = "ywtb 一网通办 API"
DESCRIPTION = "一网通办统一对外接口：事项指南、在线申报、办件查询、电子证照、缴费与好差评。"


def _version() -> str:
    try:
        return version("ywtb-gateway")
    except PackageNotFoundError:
        return "0.0.0"


def create_app(
    settings: GatewaySettings,
    readiness_checks: Sequence[ReadinessCheck] = (),
    *,
    token_validator: TokenValidator | None = None,
    issuer: BuiltinIssuer | None = None,
    password_authenticator: PasswordAuthenticator | None = None,
    identity: AsyncStub | None = None,
    catalog: AsyncStub | None = None,
    intake: AsyncStub | None = None,
    approval: AsyncStub | None = None,
    licence: AsyncStub | None = None,
    payment: AsyncStub | None = None,
    evaluation: AsyncStub | None = None,
) -> FastAPI:
    """Build the gateway: error handlers, request middleware, health endpoints and the API routes.

    Authentication follows settings.auth_mode: "builtin" mounts the built-in issuer's OIDC endpoints
    and validates its tokens; "keycloak" validates Keycloak's tokens through its JWKS. Tests may pass
    their own validator, issuer or password authenticator (default: IdentityService over gRPC).
    """
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

    if settings.auth_mode == "builtin":
        issuer = issuer or build_builtin_issuer(settings)
        authenticator = password_authenticator or IdentityPasswordAuthenticator(
            settings.identity_target, settings.internal_signing_key.get_secret_value().encode("utf-8")
        )
        oidc = BuiltinOidc(
            issuer,
            authenticator,
            clients=settings.oidc_clients,
            redirect_patterns=settings.oidc_redirect_uris,
            token_ttl_s=settings.builtin_token_ttl_s,
            password_grant=settings.oidc_password_grant,
        )
        app.state.issuer = issuer
        app.state.oidc = oidc
        app.include_router(oidc.router())
    app.state.token_validator = token_validator or build_token_validator(settings, issuer)
    app.state.validated_tokens = ValidatedTokens()  # a token seen again skips the signature check
    app.include_router(build_me_router())
    key = settings.internal_signing_key.get_secret_value().encode("utf-8")
    given = {
        "identity": identity,
        "catalog": catalog,
        "intake": intake,
        "approval": approval,
        "licence": licence,
        "payment": payment,
        "evaluation": evaluation,
    }
    for name, (stub_class, routes) in fronted_services().items():
        target, service = getattr(settings, f"{name}_target"), str(registry()[name].api)
        stub = given.get(name) or service_stub(stub_class, service, target, key, routes.READS)
        setattr(app.state, name, stub)
        app.include_router(getattr(routes, f"build_{name}_router")())
    return app
