"""Portal settings, read from YWTB_PORTAL_* environment variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings

REALM_PATH = "/realms/ywtb"


class PortalSettings(ServiceSettings):
    """Where the portal listens, the gateway it calls, the issuer it sends people to log in at."""

    model_config = SettingsConfigDict(env_prefix="YWTB_PORTAL_", populate_by_name=True)
    # Sessions must be shared by every replica outside the embedded mode.
    required_outside_embedded: ClassVar[frozenset[str]] = frozenset({"redis_url"})

    internal_signing_key: SecretStr | None = None  # type: ignore[assignment]  # it calls only the public gateway
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    # The address browsers use for the portal; the OIDC redirect URI is built from it.
    public_url: str = Field(default="", validate_default=True)
    # The gateway as host:port (the chart's <service>:<port>), or its full URL in gateway_url.
    gateway_target: str = ""
    gateway_url: str = Field(default="", validate_default=True)
    gateway_timeout_s: float = Field(default=15.0, gt=0)
    # The issuer browsers are sent to: the gateway's built-in one in embedded mode, else Keycloak's realm.
    keycloak_url: str = Field(
        default="", validation_alias=AliasChoices("YWTB_PORTAL_KEYCLOAK_URL", "YWTB_KEYCLOAK_URL")
    )
    oidc_issuer: str = Field(default="", validate_default=True)
    # Where the portal itself reaches the issuer (token exchange), when it differs from the public one.
    oidc_internal_issuer: str = Field(default="", validate_default=True)
    citizen_client_id: str = "portal"
    staff_client_id: str = "workbench"
    redis_url: str | None = Field(default=None, validate_default=True)
    session_idle_s: int = Field(default=3600, ge=60)
    cookie_secure: bool = False
    # What one form post may carry in all (an application with its materials; intake limits each file).
    max_request_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # The region the home page presents (site title and local items).
    site_name: str = "一网通办 政务服务网"

    @field_validator("public_url", mode="after")
    @classmethod
    def _default_public_url(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value.rstrip("/")
        return f"http://{info.data.get('http_host', '127.0.0.1')}:{info.data.get('http_port', 8080)}"

    @field_validator("gateway_url", mode="after")
    @classmethod
    def _default_gateway_url(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value.rstrip("/")
        target = str(info.data.get("gateway_target") or "")
        return f"http://{target}" if target else "http://127.0.0.1:8000"

    @field_validator("oidc_issuer", mode="after")
    @classmethod
    def _default_issuer(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value.rstrip("/")
        if info.data.get("mode", "embedded") == "embedded":  # as the gateway: its built-in issuer
            return str(info.data.get("gateway_url", "http://127.0.0.1:8000")).rstrip("/") + REALM_PATH
        keycloak = str(info.data.get("keycloak_url") or "").rstrip("/")
        if not keycloak:
            raise ValueError("required outside embedded mode (or set YWTB_KEYCLOAK_URL)")
        return keycloak + REALM_PATH

    @field_validator("oidc_internal_issuer", mode="after")
    @classmethod
    def _default_internal_issuer(cls, value: str, info: ValidationInfo) -> str:
        return value.rstrip("/") if value else str(info.data.get("oidc_issuer") or "")

    @field_validator("redis_url", mode="after")
    @classmethod
    def _redis_outside_embedded(cls, value: str | None, info: ValidationInfo) -> str | None:
        mode = info.data.get("mode", "embedded")
        if mode != "embedded" and not value:
            raise ValueError(f"required when mode is {mode!r} (sessions are shared by the replicas)")
        return value
