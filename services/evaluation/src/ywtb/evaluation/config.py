"""Evaluation service settings, read from YWTB_EVALUATION_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    """Where the evaluation service listens, its peers, the provincial platform and its rounds."""

    model_config = SettingsConfigDict(env_prefix="YWTB_EVALUATION_")

    grpc_port: int = Field(default=50067, ge=1, le=65535)
    intake_target: str = "127.0.0.1:50063"
    catalog_target: str = "127.0.0.1:50062"
    # The holder round (a rateable case's applicant read from intake) and the default and overdue rounds.
    holder_interval_s: float = Field(default=2.0, gt=0)
    sweep_interval_s: float = Field(default=60.0, gt=0)
    # The provincial 好差评 platform the ratings are pushed to (make run / make up: the local simulator) and its
    # shared key; empty: nothing is pushed, the queue keeps every rating until a URL is set.
    province_url: str = ""
    province_key: SecretStr
    province_timeout_s: float = Field(default=10.0, gt=0, le=120)
    push_interval_s: float = Field(default=5.0, gt=0)
    repush_interval_s: float = Field(default=600.0, gt=0)  # yesterday's reconciliation, once a day
    # The SMS gateway (短信平台, make run / make up: the local simulator) and its shared key; empty: no SMS.
    sms_url: str = ""
    sms_key: SecretStr
    pii_key: SecretStr  # the key of its personal data (ywtb.common.pii): the citizens' mobile numbers

    @field_validator("province_url", "sms_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value
