"""Alembic environment of the identity database."""

from ywtb.common.migrations import run_env
from ywtb.identity.models import Base

run_env(Base.metadata)
