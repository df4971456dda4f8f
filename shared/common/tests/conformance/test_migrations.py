"""Every service's migrations build exactly what its models declare (alembic autogenerate finds nothing)."""

from __future__ import annotations

import pytest

from ywtb.common.components import registry
from ywtb.common.testing.conformance import migration_drift

WITH_DATABASE = [c for c in registry().services() if c.uses("postgresql")]
IDS = [c.name for c in WITH_DATABASE]


@pytest.mark.parametrize("component", WITH_DATABASE, ids=IDS)
def test_migrations_match_the_models_on_sqlite(component, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    assert migration_drift(component, sqlite_url) == []


@pytest.mark.integration
@pytest.mark.parametrize("component", WITH_DATABASE, ids=IDS)
def test_migrations_match_the_models_on_postgresql(component, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    assert migration_drift(component, postgres_url) == []
