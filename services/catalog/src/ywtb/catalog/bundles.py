"""一件事 bundles: one merged, de-duplicated material list over the bundled items' guides.

Two materials are the same when their normalised names are equal (NFKC, no spaces or punctuation,
case-folded) or, for government-issued materials, when they name the same e-licence type. The merged
material keeps the strictest flags: required if any item requires it, 容缺 only if every item
allows it to be missing, the most copies; it stays fetchable (government source, licence type) if
any item can fetch it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

_PUNCT = str.maketrans("", "", " \t\r\n　·.,，、。:：;；()（）[]【】《》<>\"'“”‘’-_/")


def normalise_name(name: str) -> str:
    """The comparison form of a material name."""
    return unicodedata.normalize("NFKC", name).translate(_PUNCT).casefold()


def _keys(material: dict[str, Any]) -> list[tuple[str, str]]:
    keys = [("name", normalise_name(material.get("name", "")))]
    if material.get("source") == "government" and material.get("licence_type"):
        keys.append(("licence", material["licence_type"]))
    return keys


def merge_materials(guides: list[tuple[str, dict[str, Any]]]) -> list[tuple[dict[str, Any], list[str]]]:
    """(material, item ids asking for it) for every distinct material, in first-seen order."""
    groups: list[tuple[dict[str, Any], list[str]]] = []
    index: dict[tuple[str, str], int] = {}
    for item_id, guide in guides:
        for material in guide.get("materials", []):
            keys = _keys(material)
            found = next((index[k] for k in keys if k in index), None)
            if found is None:
                groups.append((dict(material), [item_id]))
                found = len(groups) - 1
            else:
                merged, items = groups[found]
                _merge_into(merged, material)
                if item_id not in items:
                    items.append(item_id)
            for key in _keys(groups[found][0]) + keys:
                index.setdefault(key, found)
    return groups


def _merge_into(merged: dict[str, Any], other: dict[str, Any]) -> None:
    merged["required"] = bool(merged.get("required")) or bool(other.get("required"))
    merged["may_be_missing"] = bool(merged.get("may_be_missing")) and bool(other.get("may_be_missing"))
    merged["copies"] = max(int(merged.get("copies", 1)), int(other.get("copies", 1)))
    if other.get("source") == "government" and other.get("licence_type") and not merged.get("licence_type"):
        merged["source"], merged["licence_type"] = "government", other["licence_type"]
    for text in ("standard", "blank_form", "sample"):
        if not merged.get(text) and other.get(text):
            merged[text] = other[text]
