"""Alembic environment of the licence database."""

from ywtb.common.migrations import run_env
from ywtb.licence.models import Base

run_env(Base.metadata)
