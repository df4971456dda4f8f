"""Gateway settings, read from YWTB_GATEWAY_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.common.components import registry
from ywtb.common.settings import ServiceSettings

AuthMode = Literal["keycloak", "builtin"]
REALM_PATH = "/realms/ywtb"


class GatewaySettings(ServiceSettings):
    """The public REST gateway: where it listens, how much it accepts, whom it trusts for tokens."""

    model_config = SettingsConfigDict(env_prefix="YWTB_GATEWAY_", populate_by_name=True)
    required_outside_embedded: ClassVar[frozenset[str]] = (
        frozenset()
    )  # the gateway owns no database and reads no Kafka

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)

    # --- authentication (fields are validated in this order; later ones read earlier ones) ---
    # builtin: the gateway issues tokens itself (embedded default); keycloak: Keycloak issues them.
    auth_mode: AuthMode | None = Field(default=None, validate_default=True)
    keycloak_url: str = Field(
        default="", validation_alias=AliasChoices("YWTB_GATEWAY_KEYCLOAK_URL", "YWTB_KEYCLOAK_URL")
    )
    # The token issuer (`iss`); defaults to {keycloak_url}/realms/ywtb, or the gateway's own
    # http://{http_host}:{http_port}/realms/ywtb for the built-in issuer.
    oidc_issuer: str = Field(default="", validate_default=True)
    oidc_audience: str = "ywtb-gateway"
    # Defaults to {oidc_issuer}/protocol/openid-connect/certs.
    jwks_url: str = Field(default="", validate_default=True)
    jwks_timeout_s: float = Field(default=2.0, gt=0)
    jwks_cache_ttl_s: float = Field(default=600, gt=0)
    jwks_min_refresh_interval_s: float = Field(default=30, ge=0)
    token_leeway_s: float = Field(default=30, ge=0, le=300)

    # --- the built-in issuer (auth_mode builtin) ---
    builtin_key_path: Path | None = None  # defaults to {data_dir}/gateway/issuer-key.pem
    builtin_token_ttl_s: int = Field(default=1800, ge=60, le=86400)
    oidc_clients: list[str] = ["portal", "workbench"]
    oidc_redirect_uris: list[str] = ["http://127.0.0.1:*/", "http://localhost:*/"]
    oidc_password_grant: bool = True  # for the demo and test clients
    # The services it fronts (`calls` of deploy/components.yaml); defaults: their registry ports on 127.0.0.1.
    identity_target: str = Field(default_factory=lambda: registry()["identity"].target())
    catalog_target: str = Field(default_factory=lambda: registry()["catalog"].target())
    intake_target: str = Field(default_factory=lambda: registry()["intake"].target())
    approval_target: str = Field(default_factory=lambda: registry()["approval"].target())
    licence_target: str = Field(default_factory=lambda: registry()["licence"].target())
    payment_target: str = Field(default_factory=lambda: registry()["payment"].target())
    evaluation_target: str = Field(default_factory=lambda: registry()["evaluation"].target())

    @field_validator("auth_mode", mode="after")
    @classmethod
    def _default_auth_mode(cls, value: AuthMode | None, info: ValidationInfo) -> AuthMode:
        mode = info.data.get("mode", "embedded")
        if value is None:
            return "builtin" if mode == "embedded" else "keycloak"
        if value == "builtin" and mode == "kubernetes":
            raise ValueError("the built-in issuer is for the embedded and local modes; use keycloak")
        return value

    @field_validator("oidc_issuer", mode="after")
    @classmethod
    def _default_issuer(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value.rstrip("/")
        if info.data.get("auth_mode") == "builtin":
            return f"http://{info.data.get('http_host', '127.0.0.1')}:{info.data.get('http_port', 8000)}{REALM_PATH}"
        keycloak_url = str(info.data.get("keycloak_url") or "").rstrip("/")
        if not keycloak_url:
            if info.data.get("auth_mode") is None:
                return ""  # auth_mode itself was invalid; that error is reported
            raise ValueError("required with auth_mode keycloak (or set YWTB_KEYCLOAK_URL)")
        return keycloak_url + REALM_PATH

    @field_validator("jwks_url", mode="after")
    @classmethod
    def _default_jwks_url(cls, value: str, info: ValidationInfo) -> str:
        issuer = info.data.get("oidc_issuer") or ""
        return value or (f"{issuer}/protocol/openid-connect/certs" if issuer else "")

    @field_validator("oidc_redirect_uris", mode="after")
    @classmethod
    def _check_redirect_patterns(cls, value: list[str]) -> list[str]:
        from ywtb.gateway.oidc import parse_redirect_pattern

        for pattern in value:
            parse_redirect_pattern(pattern)
        return value

    def issuer_key_path(self) -> Path:
        """Where the built-in issuer keeps its signing key."""
        return self.builtin_key_path or self.data_dir / "gateway" / "issuer-key.pem"
