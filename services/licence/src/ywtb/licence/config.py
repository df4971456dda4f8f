"""Licence service settings, read from YWTB_LICENCE_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class LicenceSettings(ServiceSettings):
    """Where the licence service listens, its peers, its secret and its issuance round."""

    model_config = SettingsConfigDict(env_prefix="YWTB_LICENCE_")

    grpc_port: int = Field(default=50065, ge=1, le=65535)
    pii_key: SecretStr  # holder codes encrypted, and the seal keys' encryption key derived from it
    intake_target: str = "127.0.0.1:50063"
    catalog_target: str = "127.0.0.1:50062"
    font_path: str | None = None  # the CJK font of licence files; None = fonts-noto-cjk's Noto Serif CJK
    issuance_interval_s: float = Field(default=2.0, gt=0)
    share_minutes: int = Field(default=10, ge=1, le=1440)  # 亮证 links open this long unless the holder asks
    # The platform's public address (the gateway's): issuers' did:web and status lists are named under it.
    credential_base_url: str = "http://127.0.0.1:8000"
    seed_demo: bool = False
