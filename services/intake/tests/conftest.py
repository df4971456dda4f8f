"""Intake test wiring: a migrated database, fake Catalog and Identity services on real gRPC servers, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.intake.catalog_client import GrpcCatalogClient
from ywtb.intake.identity_client import GrpcIdentityClient
from ywtb.intake.service import IntakeService
from ywtb.intake.storage import DatabaseStorage
from ywtb.intake.testing import FakeCatalog, FakeIdentity, start_fake_catalog, start_fake_identity

SIGNING_KEY = b"intake-test-signing-key-0123456789"
PII_SECRET = "intake-test-pii-secret-0123456789"


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def catalog() -> Iterator[tuple[str, FakeCatalog]]:
    server, target, fake = start_fake_catalog(SIGNING_KEY)
    yield target, fake
    server.stop(0)


@pytest.fixture
def identity() -> Iterator[tuple[str, FakeIdentity]]:
    server, target, fake = start_fake_identity(SIGNING_KEY)
    yield target, fake
    server.stop(0)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 29, 2, 0, tzinfo=UTC))  # Tue 29 Sep 2026 10:00 Beijing time


@pytest.fixture
def service_factory(catalog, identity, clock):  # type: ignore[no-untyped-def]
    """Build an intake service on a migrated database at `url`."""

    def make(url: str, **kwargs) -> IntakeService:  # type: ignore[no-untyped-def]
        upgrade(script_location_of("ywtb.intake"), url)
        return IntakeService(
            Database(url),
            GrpcCatalogClient(catalog[0], SIGNING_KEY),
            GrpcIdentityClient(identity[0], SIGNING_KEY),
            kwargs.pop("storage", DatabaseStorage()),
            pii_secret=PII_SECRET,
            clock=clock,
            **kwargs,
        )

    return make


@pytest.fixture
def service(sqlite_url, service_factory) -> IntakeService:  # type: ignore[no-untyped-def]
    return service_factory(sqlite_url)
