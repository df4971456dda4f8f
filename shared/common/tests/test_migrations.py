"""Alembic per service: migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, inspect

from ywtb.common.db import make_engine
from ywtb.common.inbox import define_inbox
from ywtb.common.migrations import pending_differences, upgrade
from ywtb.common.outbox import define_outbox

SAMPLE = Path(__file__).parent / "sample_migrations"


def _models() -> MetaData:
    metadata = MetaData()
    define_outbox(metadata)
    define_inbox(metadata)
    return metadata


def _check(url: str) -> None:
    upgrade(SAMPLE, url)
    upgrade(SAMPLE, url)  # idempotent: already at head
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {"outbox", "inbox", "alembic_version"} <= tables
    assert pending_differences(url, _models()) == []


def test_sample_migrations_on_sqlite(sqlite_url) -> None:
    _check(sqlite_url)


@pytest.mark.integration
def test_sample_migrations_on_postgres(postgres_url) -> None:
    _check(postgres_url)


def test_a_model_the_migrations_lack_is_reported(sqlite_url) -> None:
    upgrade(SAMPLE, sqlite_url)
    metadata = _models()
    from sqlalchemy import Column, String, Table

    Table("cases", metadata, Column("case_no", String(40), primary_key=True))
    assert [d[0] for d in pending_differences(sqlite_url, metadata)] == ["add_table"]
