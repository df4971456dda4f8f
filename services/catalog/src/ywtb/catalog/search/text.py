"""Text normalisation, character n-grams and pinyin forms used by the search index."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from pypinyin import Style, pinyin

_SEPARATORS = re.compile(r"[\s,，、;；。.:：/|()（）\[\]【】《》\"'“”‘’!！?？+]+")
_ASCII_ALPHA = re.compile(r"[a-z]+")
_MAX_VARIANTS = 8  # pinyin variants kept per string (polyphones 多音字)


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, ü typed as v, outer blanks removed."""
    return unicodedata.normalize("NFKC", text).lower().replace("ü", "v").strip()


def split_terms(text: str) -> list[str]:
    """Split normalised text at blanks and punctuation."""
    return [t for t in _SEPARATORS.split(text) if t]


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def is_pinyin_like(text: str) -> bool:
    """Only ASCII letters: can be full pinyin or initials."""
    return _ASCII_ALPHA.fullmatch(text) is not None


def ngrams(text: str, n: int) -> set[str]:
    return {text[i : i + n] for i in range(len(text) - n + 1)}


@dataclass(frozen=True)
class PinyinForms:
    """Tone-less full pinyin and initials of a string; the first entry is the most likely reading."""

    full: tuple[str, ...]
    initials: tuple[str, ...]


def _syllable_alternatives(readings: list[str]) -> list[str]:
    out: list[str] = []
    for reading in readings:
        for r in (reading, reading.replace("v", "u")):  # 绿 lv is often typed lu
            r = "".join(ch for ch in r.lower() if ch.isascii() and ch.isalnum())
            if r and r not in out:
                out.append(r)
    return out


_CJK_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff]+)")


def _segments(text: str) -> list[tuple[list[str], bool]]:
    """(alternative readings, is a Chinese syllable) per syllable; other letters and digits stay literal."""
    out: list[tuple[list[str], bool]] = []
    for run in _CJK_RUN.split(text):
        if not run:
            continue
        if is_cjk(run[0]):
            out.extend(
                (_syllable_alternatives(r), True) for r in pinyin(run, style=Style.NORMAL, heteronym=True)
            )
        else:
            literal = "".join(ch for ch in run if ch.isascii() and ch.isalnum())
            if literal:
                out.append(([literal], False))
    return [(alts, chinese) for alts, chinese in out if alts]


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> PinyinForms:
    """Pinyin of `text` (already normalised): the phrase-aware reading plus one-syllable polyphone swaps."""
    segments = _segments(text)
    if not segments:
        return PinyinForms((), ())
    primary = [alts[0] for alts, _ in segments]
    variants = [primary]
    for i, (alternatives, _) in enumerate(segments):
        for alt in alternatives[1:]:
            variants.append([*primary[:i], alt, *primary[i + 1 :]])
    full: list[str] = []
    initials: list[str] = []
    for v in islice(variants, _MAX_VARIANTS):
        f = "".join(v)
        ini = "".join(s[0] if chinese else s for s, (_, chinese) in zip(v, segments, strict=True))
        if f not in full:
            full.append(f)
        if ini not in initials:
            initials.append(ini)
    return PinyinForms(tuple(full), tuple(initials))


def primary_pinyin(text: str) -> str:
    """The most likely full pinyin of `text`, letters and digits only."""
    forms = pinyin_forms(text)
    return forms.full[0] if forms.full else ""
