"""Gateway settings, read from YWTB_GATEWAY_* environment variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """The public REST gateway: where it listens and how much it accepts."""

    model_config = SettingsConfigDict(env_prefix="YWTB_GATEWAY_")
    required_outside_embedded: ClassVar[frozenset[str]] = (
        frozenset()
    )  # the gateway owns no database and reads no Kafka

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
