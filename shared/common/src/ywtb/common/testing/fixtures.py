"""pytest fixtures over the real backends: a fresh PostgreSQL database per test, Kafka, Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ywtb.common.testing.stack import stack_env, unique_name


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test only, dropped afterwards."""
    admin_url = make_url(stack_env("YWTB_POSTGRES_URL"))
    name = unique_name("test_")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A new SQLite database file for this test only."""
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def kafka_bootstrap() -> str:
    """The local Kafka broker's bootstrap address."""
    return stack_env("YWTB_KAFKA_BOOTSTRAP")


@pytest.fixture
def redis_url() -> str:
    """The local Redis URL."""
    return stack_env("YWTB_REDIS_URL")
