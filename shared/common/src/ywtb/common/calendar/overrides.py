"""Day overrides of the national calendar: national rows, tenant rows and their precedence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

_TENANT = re.compile(r"\d{6}")


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One day declared a working day or a rest day; tenant None means national.

    `full_year` marks the row as part of the complete official schedule of `day.year`: one
    such row makes that year covered, and its unlisted days follow the Monday–Friday rule.
    """

    day: date
    is_workday: bool
    name: str = ""
    tenant: str | None = None
    full_year: bool = False

    def __post_init__(self) -> None:
        check_tenant(self.tenant)


def check_tenant(tenant: str | None) -> None:
    """Reject a tenant that is not None or a 6-digit region code."""
    if tenant is not None and not _TENANT.fullmatch(tenant):
        raise ValueError(f"tenant must be a 6-digit region code or None, got {tenant!r}")


def tenant_chain(tenant: str | None) -> tuple[str | None, ...]:
    """Levels whose rows apply to a tenant, general first: national, province, city, county."""
    check_tenant(tenant)
    if tenant is None:
        return (None,)
    chain: list[str | None] = [None]
    for code in (tenant[:2] + "0000", tenant[:4] + "00", tenant):
        if code not in chain:
            chain.append(code)
    return tuple(chain)


def _level(tenant: str | None) -> int:
    """0 national, 1 province (xx0000), 2 city (xxxx00), 3 county."""
    return len(tenant_chain(tenant)) - 1


def resolve(overrides: Iterable[DayOverride]) -> dict[date, DayOverride]:
    """One override per day, the most local level winning; rows must belong to one tenant chain."""
    rows = list(overrides)
    tenants = {row.tenant for row in rows if row.tenant is not None}
    if tenants:
        deepest = max(tenants, key=_level)
        stray = tenants - set(tenant_chain(deepest))
        if stray:
            raise ValueError(f"overrides mix unrelated tenants {sorted(tenants)}; filter with for_tenant()")
    by_day: dict[date, DayOverride] = {}
    for row in rows:
        held = by_day.get(row.day)
        if held is None or _level(row.tenant) > _level(held.tenant):
            winner = row
        elif _level(row.tenant) < _level(held.tenant) or (row.is_workday, row.name) == (
            held.is_workday,
            held.name,
        ):
            winner = held
        else:
            raise ValueError(f"conflicting overrides for {row.day} at tenant {row.tenant!r}")
        full_year = winner.full_year or (held is not None and held.full_year) or row.full_year
        by_day[row.day] = replace(winner, full_year=full_year)
    return by_day


def for_tenant(overrides: Iterable[DayOverride], tenant: str | None) -> list[DayOverride]:
    """The rows applying to a tenant (national, its province, city and itself), local rows winning."""
    chain = set(tenant_chain(tenant))
    resolved = resolve(row for row in overrides if row.tenant in chain)
    return [resolved[day] for day in sorted(resolved)]
