"""One indexed document and how a single query term scores against it.

Score tiers (higher first): exact name 100 > name prefix 90 > name substring 80 > keywords 70-72 >
department 65 / theme 62 > full pinyin of the name 56-60 > initials of the name 50-55 > pinyin of
keywords 42-47 > department pinyin 40 > fuzzy (typos) up to 35. Ties are broken by the shorter name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from ywtb.catalog.search.model import SearchDoc
from ywtb.catalog.search.text import PinyinForms, is_cjk, ngrams, normalize, pinyin_forms, split_terms

NAME_EXACT = 100.0
NAME_PREFIX = 90.0
NAME_SUBSTRING = 80.0
KEYWORD_EXACT = 72.0
KEYWORD_PREFIX = 71.0
KEYWORD_SUBSTRING = 70.0
DEPT = 65.0
THEME = 62.0
PINYIN_NAME_EXACT = 60.0
PINYIN_NAME_PREFIX = 58.0
PINYIN_NAME_SUBSTRING = 56.0
INITIALS_NAME_EXACT = 55.0
INITIALS_NAME_PREFIX = 53.0
INITIALS_NAME_SUBSTRING = 50.0
PINYIN_KEYWORD_PREFIX = 47.0
PINYIN_KEYWORD_SUBSTRING = 45.0
INITIALS_KEYWORD_EXACT = 44.0
INITIALS_KEYWORD_PREFIX = 42.0
PINYIN_FACET = 40.0
FUZZY_MAX = 35.0


@dataclass(frozen=True, slots=True)
class Entry:
    """A SearchDoc with its normalised text and pinyin forms, computed once at upsert."""

    doc: SearchDoc
    name: str
    keywords: tuple[str, ...]
    keyword_blob: str  # keywords joined by a separator no query contains
    name_pinyin: PinyinForms
    keyword_pinyin: tuple[PinyinForms, ...]
    keyword_pinyin_blob: str

    @classmethod
    def of(cls, doc: SearchDoc) -> Entry:
        name = "".join(split_terms(normalize(doc.name)))
        keywords = tuple(dict.fromkeys(split_terms(normalize(doc.keywords))))
        kw_py = tuple(pinyin_forms(k) for k in keywords)
        return cls(
            doc=doc,
            name=name,
            keywords=keywords,
            keyword_blob="\x1f".join(keywords),
            name_pinyin=pinyin_forms(name),
            keyword_pinyin=kw_py,
            keyword_pinyin_blob=" ".join(p.full[0] for p in kw_py if p.full),
        )

    def text_grams(self) -> set[str]:
        """Characters and character bigrams of the name and keywords (recomputed: saves memory)."""
        grams: set[str] = set()
        for t in (self.name, *self.keywords):
            grams.update(t)
            grams.update(ngrams(t, 2))
        return grams

    def pinyin_keys(self) -> tuple[set[str], set[str]]:
        """Letter trigrams, and first one and two letters, of every pinyin form."""
        forms = [*self.name_pinyin.full, *self.name_pinyin.initials]
        for p in self.keyword_pinyin:
            forms.extend(p.full)
            forms.extend(p.initials)
        trigrams: set[str] = set()
        prefixes: set[str] = set()
        for f in forms:
            trigrams.update(ngrams(f, 3))
            prefixes.update((f[:1], f[:2]))
        return trigrams, prefixes


def text_score(entry: Entry, term: str) -> float:
    """Exact (non-fuzzy) match of a term against the name and keywords; 0 when none."""
    name = entry.name
    if name == term:
        return NAME_EXACT
    if name.startswith(term):
        return NAME_PREFIX
    if term in name:
        return NAME_SUBSTRING
    if term in entry.keyword_blob:
        best = KEYWORD_SUBSTRING
        for k in entry.keywords:
            if k == term:
                return KEYWORD_EXACT
            if k.startswith(term):
                best = KEYWORD_PREFIX
        return best
    return 0.0


def pinyin_score(entry: Entry, term: str, *, initials: bool = True) -> float:
    """Exact match of letters against the full pinyin (and, for typed letters, the initials)."""
    forms = entry.name_pinyin
    best = _forms_score(forms.full, term, PINYIN_NAME_EXACT, PINYIN_NAME_PREFIX, PINYIN_NAME_SUBSTRING)
    if best or not initials:
        return best or _keyword_pinyin_score(entry, term, initials=False)
    best = _forms_score(
        forms.initials, term, INITIALS_NAME_EXACT, INITIALS_NAME_PREFIX, INITIALS_NAME_SUBSTRING
    )
    return best or _keyword_pinyin_score(entry, term, initials=True)


def _forms_score(forms: Iterable[str], term: str, exact: float, prefix: float, substring: float) -> float:
    """The best of exact, prefix and (for three letters or more) substring matches of term in forms."""
    best = 0.0
    for form in forms:
        if form == term:
            return exact
        if form.startswith(term):
            best = max(best, prefix)
        elif len(term) >= 3 and term in form:
            best = max(best, substring)
    return best


def _keyword_pinyin_score(entry: Entry, term: str, *, initials: bool) -> float:
    best = 0.0
    for forms in entry.keyword_pinyin:
        for full in forms.full:
            if full.startswith(term):
                return PINYIN_KEYWORD_PREFIX
            if len(term) >= 3 and term in full:
                best = max(best, PINYIN_KEYWORD_SUBSTRING)
        if initials and len(term) >= 2:
            for ini in forms.initials:
                if ini == term:
                    best = max(best, INITIALS_KEYWORD_EXACT)
                elif ini.startswith(term):
                    best = max(best, INITIALS_KEYWORD_PREFIX)
    return best


def allowed_edits(term: str) -> int:
    """Typos tolerated: one for short terms, two for long ones."""
    return 2 if len(term) >= (7 if is_cjk(term[0]) else 9) else 1


def fuzzy_cutoff(term: str) -> float:
    """Least partial-ratio similarity (0-100) that one edit per allowed typo still reaches."""
    return 100.0 * (1 - allowed_edits(term) / len(term)) - 0.01


def fuzzy_score(entry: Entry, term: str, cutoff: float, *, pinyin: bool) -> float:
    """Typo-tolerant similarity (rapidfuzz partial ratio) mapped below every exact tier; 0 when too far."""
    best = 0.0
    if pinyin:
        n = len(term)
        fields = [(entry.name_pinyin.full[:1], 1.0), (entry.name_pinyin.initials[:1], 0.95)]
        fields.append(((entry.keyword_pinyin_blob,), 0.85))
    else:
        fields = [((entry.name,), 1.0), ((entry.keyword_blob,), 0.85)]
        n = min(len(term), 5)  # a query may contain a whole name of 4 characters or more
    for texts, weight in fields:
        for text in texts:
            if len(text) < n - 1:  # a much shorter string would swap roles with the query
                continue
            sim = fuzz.partial_ratio(term, text, score_cutoff=cutoff)
            if sim:
                best = max(best, FUZZY_MAX * weight * sim / 100.0)
    return best
