"""Documents and results of the citizen item search (事项搜索)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchDoc:
    """What the search knows of one published implementation item (实施清单事项)."""

    item_id: str  # implementation item id (stable across versions)
    version: int
    tenant: str  # 6-digit region code of the implementing tenant
    dept: str  # unified social credit code of the implementing department
    dept_name: str
    name: str  # item name, e.g. 个体工商户设立登记
    basic_code: str
    item_type: str  # "01".."10", "20"
    service_objects: tuple[str, ...]  # "natural_person", "legal_person"
    themes: tuple[str, ...]  # e.g. 开办企业, 婚姻登记, 社会保障
    online_depth: int  # 1..7
    keywords: str = ""  # extra text: aliases, result name, conditions summary


@dataclass(frozen=True)
class Hit:
    """One ranked result; a higher score is a better match."""

    doc: SearchDoc
    score: float


@dataclass(frozen=True)
class SearchResult:
    """One page of hits and the number of all matching items."""

    total: int
    hits: list[Hit] = field(default_factory=list)
