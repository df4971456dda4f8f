"""Override table stored in a service's own database (SQLAlchemy 2 declarative mixin)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Select, String, UniqueConstraint, false, or_, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from ywtb.common.calendar.overrides import DayOverride, for_tenant, tenant_chain


class CalendarOverrideMixin:
    """Columns of the tenant-maintained calendar table; mix into a service's declarative Base.

    tenant NULL = national row. Unique (tenant, day); on PostgreSQL 15+ NULL tenants are not
    distinct, so one national row per day.
    """

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    is_workday: Mapped[bool] = mapped_column(Boolean, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    full_year: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint(
                "tenant", "day", name=f"uq_{cls.__tablename__}_tenant_day", postgresql_nulls_not_distinct=True
            ),
        )


def overrides_query(model: type[CalendarOverrideMixin], tenant: str | None) -> Select[Any]:
    """SELECT of the rows applying to a tenant (national, province, city, itself); for async sessions too."""
    codes = [code for code in tenant_chain(tenant) if code is not None]
    scope = model.tenant.is_(None)
    if codes:
        scope = or_(scope, model.tenant.in_(codes))
    return select(model).where(scope)


def rows_to_overrides(rows: Any, tenant: str | None) -> list[DayOverride]:
    """DayOverrides of fetched rows for a tenant, the most local row of each day winning."""
    return for_tenant(
        (
            DayOverride(row.day, row.is_workday, row.name or "", row.tenant, bool(row.full_year))
            for row in rows
        ),
        tenant,
    )


def load_overrides(
    session: Session, model: type[CalendarOverrideMixin], tenant: str | None
) -> list[DayOverride]:
    """Overrides for national level plus the tenant's province, city and itself; local rows win."""
    return rows_to_overrides(session.scalars(overrides_query(model, tenant)).all(), tenant)
