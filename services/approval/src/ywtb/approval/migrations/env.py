"""Alembic environment of the approval database."""

from ywtb.approval.models import Base
from ywtb.common.migrations import run_env

run_env(Base.metadata)
