"""Licence service settings, read from YWTB_LICENCE_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class LicenceSettings(ServiceSettings):
    """Where the licence service listens (required secrets have no default)."""

    model_config = SettingsConfigDict(env_prefix="YWTB_LICENCE_")

    grpc_port: int = Field(default=50065, ge=1, le=65535)
