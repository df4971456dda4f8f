"""Simulator settings, read from YWTB_NONTAXSIM_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.common.simulator_kit import SimulatorSettingsBase
from ywtb.payment.nontax.signing import MIN_KEY_BYTES

GATEWAY_CALLBACK_PATH = "/api/v1/payment/callbacks/nontax"
CallbackMode = Literal["normal", "duplicate", "late", "lost"]
RefundMode = Literal["normal", "processing", "fail"]


class SimulatorSettings(SimulatorSettingsBase):
    """Where the simulator listens, the key it shares with the service, where and how it calls back and refunds."""

    model_config = SettingsConfigDict(env_prefix="YWTB_NONTAXSIM_")

    http_port: int = Field(default=50090, ge=1, le=65535)
    nontax_key: SecretStr = Field(min_length=MIN_KEY_BYTES)  # the HMAC key shared with the payment service
    # Where payments are reported; empty: the gateway's callback route when gateway_target is set, else none.
    callback_url: str = ""
    gateway_target: str = ""  # host:port of the gateway (make run sets it)
    public_url: str = ""  # base of pay_url; empty: http://HTTP_HOST:HTTP_PORT
    callback_mode: CallbackMode = "normal"
    callback_delay_s: float = Field(default=30.0, ge=0, le=3600)  # for the late mode
    callback_attempts: int = Field(default=5, ge=1, le=20)  # one delivery and its retries
    callback_backoff_s: float = Field(default=1.0, gt=0, le=600)  # doubled after each failed attempt
    callback_timeout_s: float = Field(default=5.0, gt=0, le=120)
    refund_mode: RefundMode = "normal"
    refund_delay_s: float = Field(default=2.0, ge=0, le=3600)  # until a refund of the processing mode is done

    @field_validator("callback_url", "public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    def callback_to(self) -> str:
        """The callback URL in effect."""
        if self.callback_url or not self.gateway_target:
            return self.callback_url
        return f"http://{self.gateway_target}{GATEWAY_CALLBACK_PATH}"

    def pay_base_url(self) -> str:
        """Where browsers reach the pay pages."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")
