"""Migrations environment of the sample schema used by test_migrations.py."""

from sqlalchemy import MetaData

from ywtb.common.inbox import define_inbox
from ywtb.common.migrations import run_env
from ywtb.common.outbox import define_outbox

metadata = MetaData()
define_outbox(metadata)
define_inbox(metadata)
run_env(metadata)
