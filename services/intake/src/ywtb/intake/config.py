"""Intake service settings, read from YWTB_INTAKE_* environment variables."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings

DEFAULT_CASE_NUMBER_PATTERN = "{region}{date:%Y%m%d}{seq:06d}"


class IntakeSettings(ServiceSettings):
    """Where intake listens, the identity and catalogue it reads, where materials go, how case numbers look."""

    model_config = SettingsConfigDict(env_prefix="YWTB_INTAKE_")

    grpc_port: int = Field(default=50063, ge=1, le=65535)
    identity_target: str = "127.0.0.1:50061"
    catalog_target: str = "127.0.0.1:50062"
    licence_target: str = "127.0.0.1:50065"
    pii_key: SecretStr
    storage: Literal["database", "filesystem"] = "database"
    storage_path: Path | None = None  # defaults to {data_dir}/intake/materials
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    case_number_pattern: str = DEFAULT_CASE_NUMBER_PATTERN
    deemed_acceptance_workdays: int = Field(default=5, ge=1, le=30)
    deemed_acceptance_interval_s: float = Field(default=60.0, gt=0)

    @field_validator("case_number_pattern")
    @classmethod
    def _check_pattern(cls, value: str) -> str:
        from ywtb.intake.case_numbers import format_case_number

        format_case_number(value, "510104", date(2026, 1, 1), 1)
        return value

    def materials_path(self) -> Path:
        """Where the filesystem storage keeps material files."""
        return self.storage_path or self.data_dir / "intake" / "materials"
