"""Citizen reads: guides through the guide cache, search through the in-memory index.

GetGuide(item, 0) reads latest_key(item) (the live version), GetGuide(item, n) reads
guide_key(item, n) (immutable once published); on a miss the database is read and the cache
filled. Publishing and withdrawing invalidate latest_key (and the version's guide_key) right after
commit in the replica that did it, and in every replica through the item events
(`refresh`, called by the cache consumer). The consumer re-reads the database rather than trusting
the event, so redelivered or reordered events converge on the current state.

A reader that filled the cache from a read started just before a publish committed can put the old
live version back; the event consumer invalidates again shortly after, which closes that window.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.catalog.cache import GuideCache, guide_key, latest_key
from ywtb.catalog.models import Item, ItemVersion
from ywtb.catalog.search import SearchDoc, SearchIndex, SearchResult
from ywtb.common.clock import utc
from ywtb.common.db import Database
from ywtb.common.errors import NotFound

log = logging.getLogger(__name__)
MAX_PAGE = 100


def version_payload(row: ItemVersion) -> dict[str, Any]:
    """The cached (JSON) form of a published version."""
    return {
        "item_id": row.item_id,
        "version": row.version,
        "tenant": row.tenant,
        "dept": row.dept,
        "dept_name": row.dept_name,
        "basic_code": row.basic_code,
        "item_type": row.item_type,
        "implementation_code": row.implementation_code,
        "process": row.process,
        "keywords": row.keywords,
        "guide": row.guide,
        "published_at": utc(row.published_at).isoformat(),
        "published_by": row.published_by,
    }


def search_doc(payload: dict[str, Any]) -> SearchDoc:
    """What the search index keeps of a live version."""
    guide = payload["guide"]
    extra = " ".join(
        part for part in (payload.get("keywords", ""), guide.get("result", {}).get("name", "")) if part
    )
    return SearchDoc(
        item_id=payload["item_id"],
        version=payload["version"],
        tenant=payload["tenant"],
        dept=payload["dept"],
        dept_name=payload["dept_name"],
        name=guide.get("name", ""),
        basic_code=payload["basic_code"],
        item_type=payload["item_type"],
        service_objects=tuple(guide.get("service_objects", ())),
        themes=tuple(guide.get("themes", ())),
        online_depth=int(guide.get("online_depth", 1)),
        keywords=extra,
    )


def _decode(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return json.loads(raw)


def _not_published(item_id: str, version: int) -> NotFound:
    if version:
        return NotFound(f"该事项没有第{version}版办事指南，请核对版本号。", code="GUIDE_VERSION_NOT_FOUND")
    return NotFound("该事项尚未发布或已撤回，请重新检索可办理的事项。", code="GUIDE_NOT_PUBLISHED")


class GuideReads:
    """Guide reads and search for citizens; keeps the cache and the index in step with the database."""

    def __init__(self, db: Database, cache: GuideCache, index: SearchIndex, *, ttl_s: int = 3600) -> None:
        self.db = db
        self.cache = cache
        self.index = index
        self.ttl_s = ttl_s

    def guide(self, item_id: str, version: int = 0) -> dict[str, Any]:
        """A published version (0 = the live one), from the cache when it has it."""
        key = guide_key(item_id, version) if version else latest_key(item_id)
        cached = _decode(self.cache.get(key))
        if cached is not None:
            return cached
        with self.db.transaction() as session:
            payload = self._load(session, item_id, version)
        if payload is None:
            raise _not_published(item_id, version)
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.cache.set(key, data, self.ttl_s)
        if not version:
            self.cache.set(guide_key(item_id, payload["version"]), data, self.ttl_s)
        return payload

    def _load(self, session: Session, item_id: str, version: int) -> dict[str, Any] | None:
        if not version:
            item = session.get(Item, item_id)
            if item is None or not item.published_version:
                return None
            version = item.published_version
        row = session.get(ItemVersion, (item_id, version))
        return version_payload(row) if row is not None else None

    def versions(self, item_id: str) -> list[dict[str, Any]]:
        """Every published version of an item, oldest first."""
        with self.db.transaction() as session:
            rows = session.scalars(
                select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)
            )
            payloads = [version_payload(row) for row in rows]
        if not payloads:
            raise NotFound("该事项尚无已发布的版本。", code="GUIDE_NOT_PUBLISHED")
        return payloads

    def search(
        self,
        query: str,
        *,
        tenants: Iterable[str] | None = None,
        service_object: str | None = None,
        theme: str | None = None,
        dept: str | None = None,
        min_online_depth: int | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Published items matching the query and filters, best first."""
        return self.index.search(
            query,
            tenant=list(tenants) if tenants else None,
            service_object=service_object or None,
            theme=theme or None,
            dept=dept or None,
            min_online_depth=min_online_depth or None,
            limit=max(1, min(limit or 20, MAX_PAGE)),
            offset=max(0, offset),
        )

    def rebuild_index(self) -> int:
        """Load the live version of every published item into the index (at start-up)."""
        with self.db.transaction() as session:
            rows = session.execute(
                select(ItemVersion).join(
                    Item, (Item.id == ItemVersion.item_id) & (Item.published_version == ItemVersion.version)
                )
            ).scalars()
            docs = [search_doc(version_payload(row)) for row in rows]
        for doc in docs:
            self.index.upsert(doc)
        log.info("search index built with %d published items", len(docs))
        return len(docs)

    def refresh(self, session: Session, item_id: str) -> None:
        """Bring this replica's cache and index in line with the item's state in the database."""
        item = session.get(Item, item_id)
        self.cache.delete(*self._keys(item_id, item))
        payload = self._load(session, item_id, 0) if item is not None else None
        if payload is None:
            self.index.remove(item_id)
        else:
            self.index.upsert(search_doc(payload))

    def refresh_now(self, item_ids: Iterable[str]) -> None:
        """refresh() in a new transaction, right after the use case committed."""
        with self.db.transaction() as session:
            for item_id in item_ids:
                self.refresh(session, item_id)

    @staticmethod
    def _keys(item_id: str, item: Item | None) -> list[str]:
        keys = [latest_key(item_id)]
        if item is not None and item.latest_version:
            keys.append(guide_key(item_id, item.latest_version))
        return keys
