"""Simulator settings, read from YWTB_SMSSIM_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.signed_http.signing import MIN_KEY_BYTES
from ywtb.common.simulator_kit import SimulatorSettingsBase


class SimulatorSettings(SimulatorSettingsBase):
    """Where the simulator listens, the key it shares with the services and each number's daily limit."""

    model_config = SettingsConfigDict(env_prefix="YWTB_SMSSIM_")

    http_port: int = Field(default=50210, ge=1, le=65535)
    sms_key: SecretStr = Field(min_length=MIN_KEY_BYTES)  # the HMAC key shared with the services
    daily_limit: int = Field(default=20, ge=1, le=10_000)  # messages one number receives a Beijing day
