"""Unified case numbers (办件编号): a configurable pattern over region, date and a per-day sequence."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ywtb.intake.models import CaseCounter


def format_case_number(pattern: str, region: str, day: date, seq: int) -> str:
    """The case number of a pattern such as "{region}{date:%Y%m%d}{seq:06d}"; ValueError when malformed."""
    if not pattern.startswith("{region}") or "{seq" not in pattern or "{date" not in pattern:
        raise ValueError(
            "the case number pattern must start with {region} and contain {date...} and {seq...}"
        )
    try:
        number = pattern.format(region=region, date=day, seq=seq)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"malformed case number pattern: {exc}") from exc
    if not 10 <= len(number) <= 64:
        raise ValueError("a case number must be 10 to 64 characters long")
    return number


def next_sequence(session: Session, region: str, day: date) -> int:
    """Take the next number of (region, day) in the caller's transaction.

    One atomic upsert: concurrent transactions queue on the counter row, and a rolled-back
    submission gives its number back.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, CaseCounter.__table__)
    statement = (
        insert(table)
        .values(region=region, day=day, last=1)
        .on_conflict_do_update(index_elements=["region", "day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return int(session.execute(statement).scalar_one())


def current_sequence(session: Session, region: str, day: date) -> int:
    """The last number taken for (region, day), 0 when none."""
    value = session.scalar(
        select(CaseCounter.last).where(CaseCounter.region == region, CaseCounter.day == day)
    )
    return int(value or 0)
