"""The archive of process definitions: every definition the library ever ran, by digest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ywtb.approval.definitions import Definition
from ywtb.approval.models import ProcessDefinitionRow
from ywtb.common.clock import utc_now
from ywtb.common.db import Database


class DefinitionArchive:
    """Stores the library's definitions once and looks up older ones for states that still name them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def keep(self, definitions: list[Definition]) -> None:
        """Store the definitions not stored yet (replicas starting together may race: the first wins)."""
        with self.db.transaction() as session:
            known = set(session.scalars(select(ProcessDefinitionRow.digest)))
        for definition in definitions:
            if definition.digest in known:
                continue
            try:
                with self.db.transaction() as session:
                    session.add(
                        ProcessDefinitionRow(
                            digest=definition.digest,
                            process=definition.process,
                            specs=definition.json,
                            stored_at=utc_now(),
                        )
                    )
            except IntegrityError:
                continue  # another replica stored the same digest

    def lookup(self, digest: str) -> str | None:
        """The stored JSON of a definition, None when it was never stored."""
        with self.db.transaction() as session:
            row = session.get(ProcessDefinitionRow, digest)
            return row.specs if row is not None else None
