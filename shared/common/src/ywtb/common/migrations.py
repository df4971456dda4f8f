"""Alembic per service: each service keeps `migrations/` beside its models and upgrades through here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, pool


def alembic_config(script_location: str | Path, database_url: str) -> Config:
    """An Alembic config for a service's migrations directory; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def script_location_of(package: str) -> Path:
    """The migrations directory of a service package, e.g. `ywtb.intake` -> .../ywtb/intake/migrations."""
    module = importlib.import_module(package)
    return Path(module.__file__ or next(iter(module.__path__))).parent / "migrations"  # type: ignore[attr-defined]


def upgrade(script_location: str | Path, database_url: str, revision: str = "head") -> None:
    """Bring the database up to the revision."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode; batch mode for SQLite)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic: sqlalchemy.url is not set")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_messaging_tables() -> None:
    """Create the outbox and inbox tables (with their indexes) inside a service's first migration."""
    from alembic import op

    from ywtb.common.inbox import define_inbox
    from ywtb.common.outbox import define_outbox

    metadata = MetaData()
    define_outbox(metadata)
    define_inbox(metadata)
    metadata.create_all(op.get_bind())


def drop_messaging_tables() -> None:
    """Drop the outbox and inbox tables (the first migration's downgrade)."""
    from alembic import op

    op.drop_table("inbox")
    op.drop_table("outbox")


def pending_differences(database_url: str, metadata: MetaData) -> list:  # type: ignore[type-arg]
    """What the models declare that the migrated database lacks (empty when they agree)."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        ctx = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    return diff


def main(argv: list[str] | None = None) -> int:
    """`python -m ywtb.common.migrations ywtb.intake [postgresql+psycopg://...]` upgrades to head.

    Without the URL it is $DATABASE_URL (the chart's migration Job: no password in the arguments)."""
    parser = argparse.ArgumentParser(description="Upgrade a ywtb service database to the latest migration.")
    parser.add_argument("package", help="service package, e.g. ywtb.intake")
    parser.add_argument("database_url", nargs="?", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("the database URL: give it as an argument or in DATABASE_URL")
    upgrade(script_location_of(args.package), args.database_url, args.revision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
