"""Pooled PostgreSQL connections: idle ones are pinged, a database restart costs at most the statement in flight."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from ywtb.common.db import ALIVE_BYPASS_S, Database

pytestmark = pytest.mark.integration


def _kill_connections(url: str, database: str) -> None:
    """What a database restart does to the pool: every server connection of the database ends."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": database},
        )
    admin.dispose()


def test_a_connection_used_just_now_is_not_pinged_an_idle_one_is(postgres_url) -> None:  # type: ignore[no-untyped-def]
    db = Database(postgres_url)
    with db.transaction() as session:
        session.execute(text("SELECT 2"))
    pings: list[int] = []
    original = db.engine.dialect.do_ping

    def counting(conn):  # type: ignore[no-untyped-def]
        pings.append(1)
        return original(conn)

    db.engine.dialect.do_ping = counting  # type: ignore[method-assign]
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 2"))
        assert pings == []  # back in the pool a moment ago: no round trip spent on a ping
        time.sleep(ALIVE_BYPASS_S + 0.2)
        with db.transaction() as session:
            session.execute(text("SELECT 2"))
        assert pings == [1]
    finally:
        db.dispose()


def test_after_the_connections_die_an_idle_pool_recovers_without_an_error(postgres_url) -> None:  # type: ignore[no-untyped-def]
    db = Database(postgres_url)
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
        _kill_connections(postgres_url, db.engine.url.database)
        time.sleep(ALIVE_BYPASS_S + 0.2)
        with db.transaction() as session:  # the ping finds the dead connection; a new one serves
            assert session.scalar(text("SELECT 1")) == 1
    finally:
        db.dispose()


def test_a_busy_pool_loses_only_the_statement_in_flight(postgres_url) -> None:  # type: ignore[no-untyped-def]
    db = Database(postgres_url)
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
        _kill_connections(postgres_url, db.engine.url.database)
        with pytest.raises(OperationalError), db.transaction() as session:
            session.execute(text("SELECT 1"))
        with db.transaction() as session:  # the disconnect invalidated the pool: a fresh connection
            assert session.scalar(text("SELECT 1")) == 1
    finally:
        db.dispose()
