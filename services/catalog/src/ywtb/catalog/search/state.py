"""The inverted indexes behind SearchIndex, and how one query term gathers and scores candidates.

Not thread-safe by itself: SearchIndex guards it with a readers-writer lock.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ywtb.catalog.search import matching as m
from ywtb.catalog.search.matching import Entry
from ywtb.catalog.search.text import has_cjk, is_pinyin_like, ngrams, normalize, pinyin_forms, primary_pinyin

FUZZY_CANDIDATES = 300  # most documents scored with rapidfuzz for one term
SHORT_INITIALS = range(3, 7)  # letter terms too short for trigrams to survive a typo
Accept = Callable[[Entry], bool]
Postings = dict[str, set[str]]


def _add(index: Postings, keys: Iterable[str], item_id: str) -> None:
    for key in keys:
        index.setdefault(key, set()).add(item_id)


def _discard(index: Postings, keys: Iterable[str], item_id: str) -> None:
    for key in keys:
        ids = index.get(key)
        if ids is not None:
            ids.discard(item_id)
            if not ids:
                del index[key]


def _facet_keys(entry: Entry) -> list[str]:
    doc = entry.doc
    keys = [f"tenant:{doc.tenant}", f"dept:{doc.dept}"]
    keys += [f"object:{o}" for o in doc.service_objects]
    keys += [f"theme:{t}" for t in doc.themes]
    return keys


def _facet_text_keys(entry: Entry) -> list[str]:
    doc = entry.doc
    keys = [f"d:{normalize(doc.dept_name)}"] if doc.dept_name else []
    return keys + [f"t:{normalize(t)}" for t in doc.themes]


def _facet_pinyin(value: str) -> tuple[str, str]:
    """Full pinyin and initials forms of a department name or theme, each preceded by a separator."""
    forms = pinyin_forms(value)
    return "".join("\x1f" + f for f in forms.full), "".join("\x1f" + i for i in forms.initials)


def _facet_pinyin_match(letters: str, full: str, initials: str) -> bool:
    """ "gongan" finds 锦江区公安分局 (4+ letters: anywhere), "ga" 公安局 (prefix), "hunyin" 婚姻登记."""
    if len(letters) >= 4:
        return letters in full
    marked = "\x1f" + letters
    return marked in full or marked in initials


class IndexState:
    """Documents by id, posting lists of n-grams and pinyin, and facet sets for the filters."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.text: Postings = {}  # character or character bigram -> item ids
        self.pinyin: Postings = {}  # letter trigram of a pinyin form -> item ids
        self.prefixes: Postings = {}  # first one or two letters of a pinyin form -> item ids
        self.facets: Postings = {}  # "tenant:…", "dept:…", "object:…", "theme:…" -> item ids
        self.facet_text: Postings = {}  # "d:<dept name>" / "t:<theme>" -> item ids
        self.facet_pinyin: dict[str, tuple[str, str]] = {}  # facet_text key -> its pinyin forms
        self.initials: Postings = {}  # initials of the name (every polyphone variant) -> item ids
        self.by_name: list[Entry] | None = None  # cache for listing, rebuilt after a change
        self.initials_prefixes: dict[int, tuple[list[str], list[str]]] = {}  # cache: length -> keys, prefixes

    def add(self, entry: Entry) -> None:
        item_id = entry.doc.item_id
        self.entries[item_id] = entry
        trigrams, prefixes = entry.pinyin_keys()
        _add(self.text, entry.text_grams(), item_id)
        _add(self.pinyin, trigrams, item_id)
        _add(self.prefixes, prefixes, item_id)
        _add(self.facets, _facet_keys(entry), item_id)
        for key in _facet_text_keys(entry):
            if key not in self.facet_pinyin:
                self.facet_pinyin[key] = _facet_pinyin(key[2:])
        _add(self.facet_text, _facet_text_keys(entry), item_id)
        if any(i not in self.initials for i in entry.name_pinyin.initials):
            self.initials_prefixes = {}
        _add(self.initials, entry.name_pinyin.initials, item_id)
        self.by_name = None

    def discard(self, item_id: str) -> Entry | None:
        entry = self.entries.pop(item_id, None)
        if entry is not None:
            trigrams, prefixes = entry.pinyin_keys()
            _discard(self.text, entry.text_grams(), item_id)
            _discard(self.pinyin, trigrams, item_id)
            _discard(self.prefixes, prefixes, item_id)
            _discard(self.facets, _facet_keys(entry), item_id)
            _discard(self.facet_text, _facet_text_keys(entry), item_id)
            for key in _facet_text_keys(entry):
                if key not in self.facet_text:
                    self.facet_pinyin.pop(key, None)
            _discard(self.initials, entry.name_pinyin.initials, item_id)
            if any(i not in self.initials for i in entry.name_pinyin.initials):
                self.initials_prefixes = {}
            self.by_name = None
        return entry

    def allowed(self, groups: list[list[str]]) -> set[str] | None:
        """Ids passing every facet filter; each group is a union of facet keys (tenant lists). None: no filter."""
        if not groups:
            return None
        sets = [set().union(*(self.facets.get(k, ()) for k in keys)) for keys in groups]
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])

    def listing(self) -> list[Entry]:
        """All entries by name, then id."""
        if self.by_name is None:
            self.by_name = sorted(self.entries.values(), key=lambda e: (e.name, e.doc.item_id))
        return self.by_name

    # --- one query term -------------------------------------------------------------------------

    def term_scores(self, term: str, accept: Accept) -> dict[str, float]:
        """Best score of every accepted document that matches `term` in any way."""
        scores: dict[str, float] = {}
        entries = self.entries

        def put(item_id: str, score: float) -> None:
            if score > scores.get(item_id, 0.0):
                scores[item_id] = score

        for item_id in self._intersect(self.text, set(term) if len(term) == 1 else ngrams(term, 2)):
            entry = entries[item_id]
            if accept(entry) and (score := m.text_score(entry, term)):
                put(item_id, score)
        letters = is_pinyin_like(term)
        cjk = has_cjk(term)
        self._facet_scores(term, letters, accept, put)
        if letters:
            for item_id in self._pinyin_candidates(term):
                entry = entries[item_id]
                if accept(entry) and (score := m.pinyin_score(entry, term)):
                    put(item_id, score)
        elif cjk and len(term) >= 2 and is_pinyin_like(spelled := primary_pinyin(term)):
            # homophones: 登计 is typed with the same pinyin as 登记
            for item_id in self._pinyin_candidates(spelled):
                entry = entries[item_id]
                if accept(entry) and (score := m.pinyin_score(entry, spelled, initials=False)):
                    put(item_id, score)
        if (cjk and len(term) >= 3) or (letters and len(term) >= 4):
            cutoff = m.fuzzy_cutoff(term)
            for item_id in self._fuzzy_candidates(term, letters, scores, accept):
                if score := m.fuzzy_score(entries[item_id], term, cutoff, pinyin=letters):
                    put(item_id, score)
        return scores

    def _facet_scores(
        self, term: str, letters: bool, accept: Accept, put: Callable[[str, float], None]
    ) -> None:
        """Department names and themes: a few hundred distinct values, scanned."""
        if len(term) < 2:
            return
        for key, ids in self.facet_text.items():
            value = key[2:]
            if term in value:
                score = m.DEPT if key[0] == "d" else m.THEME
            elif letters and _facet_pinyin_match(term, *self.facet_pinyin[key]):
                score = m.PINYIN_FACET
            else:
                continue
            for item_id in ids:
                if accept(self.entries[item_id]):
                    put(item_id, score)

    @staticmethod
    def _intersect(index: Postings, keys: Iterable[str]) -> set[str]:
        postings = []
        for key in keys:
            ids = index.get(key)
            if not ids:
                return set()
            postings.append(ids)
        if not postings:
            return set()
        postings.sort(key=len)
        return postings[0].intersection(*postings[1:])

    def _pinyin_candidates(self, letters: str) -> Iterable[str]:
        if len(letters) <= 2:
            return self.prefixes.get(letters, ())
        return self._intersect(self.pinyin, ngrams(letters, 3))

    def _fuzzy_candidates(
        self, term: str, letters: bool, scored: dict[str, float], accept: Accept
    ) -> list[str]:
        """Documents sharing enough n-grams with `term` to be within its edit budget, best first."""
        edits = m.allowed_edits(term)
        if letters:
            grams, index, per_edit = ngrams(term, 3), self.pinyin, 3
        else:
            grams, index, per_edit = ngrams(term, 2), self.text, 2
        counts: Counter[str] = Counter()
        for g in grams:
            counts.update(index.get(g, ()))
        need = max(1, len(grams) - per_edit * edits)
        if not letters and len(term) <= 4:
            # short Chinese terms: one typo breaks most bigrams, so select by shared characters instead
            chars = set(term)
            by_char: Counter[str] = Counter()
            for ch in chars:
                by_char.update(index.get(ch, ()))
            need = len(chars) - 1
            counts = Counter({i: n + counts.get(i, 0) for i, n in by_char.items() if n >= need})
        if letters and len(term) in SHORT_INITIALS:
            for item_id in self._initials_within_one_edit(term):
                counts[item_id] = len(grams) + 1
        ranked = ((n, item_id) for item_id, n in counts.items() if n >= need and item_id not in scored)
        best = heapq.nlargest(FUZZY_CANDIDATES, (r for r in ranked if accept(self.entries[r[1]])))
        return [item_id for _, item_id in best]

    def _initials_within_one_edit(self, term: str) -> set[str]:
        """Ids whose name initials start with `term` give or take one letter (wrong, missing, extra)."""
        found: set[str] = set()
        for length in (len(term) - 1, len(term), len(term) + 1):
            cached = self.initials_prefixes.get(length)
            if cached is None:
                keys = list(self.initials)
                cached = self.initials_prefixes[length] = (keys, [k[:length] for k in keys])
            keys, prefixes = cached
            for _, _, i in process.extract(
                term, prefixes, scorer=Levenshtein.distance, score_cutoff=1, limit=None
            ):
                found.update(self.initials[keys[i]])
        return found
