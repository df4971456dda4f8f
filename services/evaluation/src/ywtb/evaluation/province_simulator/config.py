"""Simulator settings, read from YWTB_HAOCPSIM_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.signed_http.signing import MIN_KEY_BYTES
from ywtb.common.simulator_kit import SimulatorSettingsBase


class SimulatorSettings(SimulatorSettingsBase):
    """Where the simulator listens and the key it shares with the evaluation service."""

    model_config = SettingsConfigDict(env_prefix="YWTB_HAOCPSIM_")

    http_port: int = Field(default=50150, ge=1, le=65535)
    province_key: SecretStr = Field(min_length=MIN_KEY_BYTES)  # the HMAC key shared with the service
