"""Demo data for the embedded default (SAMPLE DATA): the sample catalogue, implemented and published.

Every implementation goes through the service's own use cases with seed principals — claimed,
edited and submitted by its department's admin, approved and published by its tenant's admin — so
the sample data obeys the same rules as real data. Idempotent: what exists is left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from ywtb.catalog.importer import CatalogueFile, load_catalogue, sample_path
from ywtb.catalog.models import Bundle, Item
from ywtb.catalog.service import CatalogService
from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal

log = logging.getLogger(__name__)


def keeper(province: str) -> Principal:
    """The province's catalogue keeper."""
    return Principal(subject="seed", tenant=province, roles=frozenset({tenancy.TENANT_ADMIN}))


def dept_admin(tenant: str, dept: str) -> Principal:
    """The admin of one department."""
    return Principal(subject="seed", tenant=tenant, dept=dept, roles=frozenset({tenancy.DEPT_ADMIN}))


def reviewer(tenant: str) -> Principal:
    """The tenant admin who reviews and publishes."""
    return Principal(subject="seed", tenant=tenant, roles=frozenset({tenancy.TENANT_ADMIN}))


def seed_catalogue(service: CatalogService, catalogue: CatalogueFile) -> dict[str, int]:
    """Apply the file's releases, publish its implementations and create its bundles (idempotent)."""
    province = keeper(service.province_tenant)
    counts = {"releases": 0, "published": 0, "bundles": 0, "withdrawn": 0}
    # The first release (the catalogue) before the implementations; later releases (changes) after,
    # so their effect on published implementations (withdrawals) shows in the demo.
    first, *later = catalogue.releases
    counts["releases"] += service.apply_release(province, first).applied
    item_ids: dict[tuple[str, str], str] = {}
    for impl in catalogue.implementations:
        item_ids[(impl.tenant, impl.basic_code)] = publish_implementation(service, catalogue, impl, counts)
    for spec in catalogue.bundles:
        with service.db.transaction() as session:
            if session.get(Bundle, spec.code) is not None:
                continue
        ids = [item_ids[(spec.tenant, code)] for code in spec.basic_codes]
        service.create_bundle(reviewer(spec.tenant), spec.code, spec.tenant, spec.name, spec.description, ids)
        counts["bundles"] += 1
    for release in later:
        outcome = service.apply_release(province, release)
        counts["releases"] += outcome.applied
        counts["withdrawn"] += len(outcome.withdrawn_item_ids)
    return counts


def publish_implementation(service: CatalogService, catalogue: CatalogueFile, impl, counts) -> str:  # type: ignore[no-untyped-def]
    """Claim, edit, submit, approve and publish one implementation unless it exists."""
    with service.db.transaction() as session:
        existing = session.scalar(
            select(Item).where(Item.dept == impl.dept, Item.basic_code == impl.basic_code)
        )
    if existing is not None and existing.latest_version:
        return existing.id
    admin = dept_admin(impl.tenant, impl.dept)
    if existing is None:
        dept = catalogue.department(impl.dept)
        existing = service.claim(admin, impl.tenant, impl.dept, dept.name, impl.basic_code)
    service.update_guide(admin, existing.id, impl.guide, impl.keywords)
    service.submit(admin, existing.id)
    service.approve(reviewer(impl.tenant), existing.id)
    service.publish(reviewer(impl.tenant), existing.id)
    counts["published"] += 1
    return existing.id


def seed_demo(service: CatalogService, path: str | Path | None = None) -> None:
    """Seed the sample catalogue when it ships (SAMPLE DATA)."""
    path = path or sample_path()
    if path is None:
        log.warning("no sample catalogue shipped; nothing seeded")
        return
    counts = seed_catalogue(service, load_catalogue(path))
    log.info("sample catalogue seeded (SAMPLE DATA): %s", counts)
