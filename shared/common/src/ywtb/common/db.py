"""SQLAlchemy 2 engine and transaction helpers that work on PostgreSQL and SQLite."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from sqlalchemy import String, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """An engine tuned for the backend: WAL and busy timeout on SQLite, idle connections pinged on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    engine = create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)

    def ping_if_idle(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        """Ping a connection idle longer than the bypass window; a dead one is replaced (the pool retries)."""
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) < ALIVE_BYPASS_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error

    event.listen(engine, "checkout", ping_if_idle)
    event.listen(engine, "checkin", _mark_used)
    return engine


# A connection back in the pool less than this long ago is handed out without a ping (HikariCP's
# aliveBypassWindowMs): under load every transaction saves a round trip. One that died meanwhile
# (the database restarted) fails its statement; SQLAlchemy then drops every older pooled connection.
ALIVE_BYPASS_S = 0.5
_LAST_USED = "ywtb_last_used"


def _mark_used(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
    record.info[_LAST_USED] = time.monotonic()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # Take the write lock at BEGIN so concurrent writers queue instead of failing on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    """True when the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


class Database:
    """A service's database: one engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class Base(DeclarativeBase):
    """Declarative base for ywtb.common's own tables; services declare their own Base."""


class TenantMixin:
    """Every row carries its tenant: the 6-digit GB/T 2260 region code."""

    @declared_attr
    def tenant(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(6), nullable=False, index=True)
