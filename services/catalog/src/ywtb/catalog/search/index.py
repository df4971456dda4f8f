"""SearchIndex: the in-memory, thread-safe index of published items behind the citizen search."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ywtb.catalog.search.matching import Entry
from ywtb.catalog.search.model import Hit, SearchDoc, SearchResult
from ywtb.catalog.search.state import Accept, IndexState
from ywtb.catalog.search.text import normalize, split_terms

log = logging.getLogger(__name__)

MAX_TERMS = 4  # blank-separated terms scored one by one; the rest of a long query is ignored


class _ReadWriteLock:
    """Many readers at once, one writer alone; a waiting writer stops new readers from starving it."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class SearchIndex:
    """事项搜索: Chinese, full pinyin, initials and typo-tolerant search over published items.

    Built from the published items at start-up (`replace_all`) and kept fresh with `upsert` on
    item.published and `remove` on item.withdrawn. Text and pinyin are computed outside the lock;
    writers hold it only to update the posting lists.
    """

    def __init__(self, docs: Iterable[SearchDoc] = ()) -> None:
        self._lock = _ReadWriteLock()
        self._state = IndexState()
        self.replace_all(docs)

    def __len__(self) -> int:
        return len(self._state.entries)

    def replace_all(self, docs: Iterable[SearchDoc]) -> None:
        """Rebuild from scratch (start-up, full resync); searches see the old index until the swap."""
        state = IndexState()
        for doc in docs:
            current = state.entries.get(doc.item_id)
            if current is None or current.doc.version <= doc.version:
                state.discard(doc.item_id)
                state.add(Entry.of(doc))
        with self._lock.writing():
            self._state = state

    def upsert(self, doc: SearchDoc) -> None:
        """Add an item or replace its indexed version; an older version than the indexed one is ignored."""
        entry = Entry.of(doc)
        with self._lock.writing():
            current = self._state.entries.get(doc.item_id)
            if current is not None and current.doc.version > doc.version:
                log.info(
                    "search index keeps newer version",
                    extra={"item_id": doc.item_id, "indexed": current.doc.version, "offered": doc.version},
                )
                return
            self._state.discard(doc.item_id)
            self._state.add(entry)

    def remove(self, item_id: str) -> None:
        """Hide an item (withdrawn); unknown ids are ignored."""
        with self._lock.writing():
            self._state.discard(item_id)

    def search(
        self,
        query: str,
        *,
        tenant: str | Iterable[str] | None = None,
        service_object: str | None = None,
        theme: str | None = None,
        dept: str | None = None,
        min_online_depth: int | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Ranked matches of `query` passing every filter; an empty query lists the filtered items by name.

        `tenant` is one region code or several (a county with its city and province); `dept` is the
        department's credit code. Filters are exact.
        """
        limit, offset = max(0, limit), max(0, offset)
        groups: list[list[str]] = []
        if tenant is not None:
            groups.append([f"tenant:{t}" for t in ([tenant] if isinstance(tenant, str) else tenant)])
        for kind, value in (("object", service_object), ("theme", theme), ("dept", dept)):
            if value is not None:
                groups.append([f"{kind}:{value}"])
        terms = split_terms(normalize(query))
        with self._lock.reading():
            state = self._state
            allowed = state.allowed(groups)

            def accept(entry: Entry) -> bool:
                if allowed is not None and entry.doc.item_id not in allowed:
                    return False
                return min_online_depth is None or entry.doc.online_depth >= min_online_depth

            if not terms:
                if allowed is not None and len(allowed) < len(state.entries) // 4:
                    pool = sorted((state.entries[i] for i in allowed), key=lambda e: (e.name, e.doc.item_id))
                else:
                    pool = state.listing()
                listed = [e for e in pool if accept(e)]
                return SearchResult(len(listed), [Hit(e.doc, 0.0) for e in listed[offset : offset + limit]])
            scores = self._query_scores(state, terms, accept)
            ranked = sorted(
                (
                    (-score, len(state.entries[i].name), state.entries[i].name, i)
                    for i, score in scores.items()
                )
            )
            page = [
                Hit(state.entries[i].doc, round(-neg, 2)) for neg, _, _, i in ranked[offset : offset + limit]
            ]
        return SearchResult(len(ranked), page)

    @staticmethod
    def _query_scores(state: IndexState, terms: list[str], accept: Accept) -> dict[str, float]:
        """The whole query as one term, or every blank-separated term matched (mean score), whichever is higher."""
        scores = state.term_scores("".join(terms), accept)
        if len(terms) > 1:
            per_term = [state.term_scores(t, accept) for t in terms[:MAX_TERMS]]
            common = set(per_term[0]).intersection(*per_term[1:])
            for item_id in common:
                mean = sum(s[item_id] for s in per_term) / len(per_term)
                if mean > scores.get(item_id, 0.0):
                    scores[item_id] = mean
        return scores
