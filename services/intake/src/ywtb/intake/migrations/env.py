"""Alembic environment of the intake database."""

from ywtb.common.migrations import run_env
from ywtb.intake.models import Base

run_env(Base.metadata)
