"""Evaluation service settings, read from YWTB_EVALUATION_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    """Where the evaluation service listens, its peer and its rounds (each tenant's rules are in its data)."""

    model_config = SettingsConfigDict(env_prefix="YWTB_EVALUATION_")

    grpc_port: int = Field(default=50067, ge=1, le=65535)
    intake_target: str = "127.0.0.1:50063"
    catalog_target: str = "127.0.0.1:50062"
    # The holder round (a rateable case's applicant read from intake) and the default and overdue rounds.
    holder_interval_s: float = Field(default=2.0, gt=0)
    sweep_interval_s: float = Field(default=60.0, gt=0)
