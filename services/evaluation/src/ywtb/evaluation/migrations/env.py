"""Alembic environment of the evaluation database."""

from ywtb.common.migrations import run_env
from ywtb.evaluation.models import Base

run_env(Base.metadata)
