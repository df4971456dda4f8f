"""Approval service settings, read from YWTB_APPROVAL_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ywtb.common.settings import ServiceSettings


class ApprovalSettings(ServiceSettings):
    """Where the approval service listens, its database, and its workers."""

    model_config = SettingsConfigDict(env_prefix="YWTB_APPROVAL_")

    grpc_port: int = Field(default=50064, ge=1, le=65535)
    # 超时默认: processes whose decision step is deemed approved when its deadline passes
    # (besides cases whose CaseAccepted event carries the flag). Default: none.
    timeout_default_processes: list[str] = Field(default_factory=list)
    timeout_interval_s: float = Field(default=60.0, gt=0)
    processes_dir: str | None = None
