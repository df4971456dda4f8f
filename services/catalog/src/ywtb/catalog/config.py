"""Catalog service settings, read from YWTB_CATALOG_* environment variables."""

from __future__ import annotations

import socket

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.catalog.codes import DEFAULT_PATTERN, check_pattern
from ywtb.common.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    """Where the catalog service listens, its database, its guide cache and its code pattern."""

    model_config = SettingsConfigDict(env_prefix="YWTB_CATALOG_")

    grpc_port: int = Field(default=50062, ge=1, le=65535)
    # Redis for the guide cache on the full stack; empty = an in-process cache (embedded default).
    redis_url: str = ""
    guide_cache_ttl_s: int = Field(default=3600, ge=1)
    seed_demo: bool = False
    # The tenant that owns the basic catalogue (基本目录): the province.
    province_tenant: str = Field(default="510000", pattern=r"^\d{2}0000$")
    # This replica's id: its cache consumer group is ywtb-catalog-cache-<instance_id>, so every
    # replica sees every item event and refreshes its own in-memory search index.
    instance_id: str = Field(default_factory=socket.gethostname, min_length=1, max_length=100)
    implementation_code_pattern: str = DEFAULT_PATTERN

    @field_validator("implementation_code_pattern")
    @classmethod
    def _pattern_fits(cls, value: str) -> str:
        try:
            return check_pattern(value)
        except Exception as exc:  # ConfigError → a settings error naming the variable
            raise ValueError(getattr(exc, "message_en", None) or str(exc)) from exc
