"""Licence service settings, read from YWTB_LICENCE_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class LicenceSettings(ServiceSettings):
    """Where the licence service listens, its reply limit and its overdue round (required secrets have no default)."""

    model_config = SettingsConfigDict(env_prefix="YWTB_LICENCE_")

    grpc_port: int = Field(default=50065, ge=1, le=65535)
    # A record is to be answered within this many working days (工作日), then it is overdue.
    reply_workdays: int = Field(default=5, ge=1, le=60)
    overdue_interval_s: float = Field(default=60.0, gt=0)
