"""Alembic environment of the payment database."""

from ywtb.common.migrations import run_env
from ywtb.payment.models import Base

run_env(Base.metadata)
