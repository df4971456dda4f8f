"""Simulator settings, read from YWTB_SMSSIM_* environment variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings
from ywtb.common.signed_http.signing import MIN_KEY_BYTES


class SimulatorSettings(ServiceSettings):
    """Where the simulator listens, the key it shares with the services and each number's daily limit."""

    model_config = SettingsConfigDict(env_prefix="YWTB_SMSSIM_")
    required_outside_embedded: ClassVar[frozenset[str]] = frozenset()  # its own SQLite file, no Kafka

    internal_signing_key: SecretStr | None = None  # type: ignore[assignment]  # it is no ywtb service
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=50092, ge=1, le=65535)
    sms_key: SecretStr = Field(min_length=MIN_KEY_BYTES)  # the HMAC key shared with the services
    daily_limit: int = Field(default=20, ge=1, le=10_000)  # messages one number receives a Beijing day
