"""Alembic environment of the catalog database."""

from ywtb.catalog.models import Base
from ywtb.common.migrations import run_env

run_env(Base.metadata)
