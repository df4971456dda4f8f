"""Payment service settings, read from YWTB_PAYMENT_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    """Where the payment service listens, its peers, the non-tax platform and its rounds."""

    model_config = SettingsConfigDict(env_prefix="YWTB_PAYMENT_")

    grpc_port: int = Field(default=50066, ge=1, le=65535)
    intake_target: str = "127.0.0.1:50063"
    catalog_target: str = "127.0.0.1:50062"
    # The provincial non-tax payment platform (make run / make up: the local simulator) and its shared key.
    nontax_url: str = "http://127.0.0.1:50090"
    nontax_key: SecretStr
    # The gateway's path the platform posts its callbacks to (what their signature covers).
    callback_path: str = "/api/v1/payment/callbacks/nontax"
    notice_days: int = Field(default=15, ge=1, le=90)  # a payment notice is open this many days
    charge_interval_s: float = Field(default=2.0, gt=0)
    check_interval_s: float = Field(default=30.0, gt=0)  # early reconciliation of quiet notified orders
    check_after_s: float = Field(default=60.0, gt=0)
    reconcile_interval_s: float = Field(default=3600.0, gt=0)  # yesterday's statement, once it is due
