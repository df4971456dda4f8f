"""Identity service settings, read from YWTB_IDENTITY_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Where the identity service listens, its database, its keys and its identity provider."""

    model_config = SettingsConfigDict(env_prefix="YWTB_IDENTITY_")

    grpc_port: int = Field(default=50061, ge=1, le=65535)
    pii_key: SecretStr
    directory: Literal["local", "keycloak"] = "local"
    keycloak_url: str = "http://127.0.0.1:18080"
    keycloak_realm: str = "ywtb"
    keycloak_client_id: str = "ywtb-identity-admin"
    keycloak_client_secret: SecretStr | None = None
    person_home_tenant: str = Field(default="510000", pattern=r"^\d{6}$")
    provisioning_interval_s: float = Field(default=2.0, gt=0)
    seed_demo: bool = False
