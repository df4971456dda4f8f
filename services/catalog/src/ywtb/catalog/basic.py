"""The provincial basic catalogue (基本目录): releases and their change kinds.

A release has a version (e.g. "2026.12", compared number by number) and entries, each one change
of one basic item: add, change, split, merge, suspend, cancel. The first release of a catalogue
is a list of "add" entries. Suspended and retired (cancelled, split, merged) items cannot be newly
claimed; the service withdraws the live implementations of retired items in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from ywtb.catalog.models import BasicChangeRecord, BasicItem
from ywtb.common.errors import InvalidArgument

CHANGE_KINDS = ("add", "change", "split", "merge", "suspend", "cancel")
ITEM_TYPES = frozenset({"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"})
BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")
VERSION = re.compile(r"^\d+(\.\d+)*$")
CLAIMABLE = "active"
RETIRED = frozenset({"cancelled", "split", "merged"})


@dataclass(frozen=True)
class BasicChange:
    """One entry of a release."""

    basic_code: str
    change: str = "add"
    name: str = ""
    item_type: str = ""
    exercise_levels: tuple[int, ...] = ()
    legal_basis: str = ""
    split_into: tuple[tuple[str, str], ...] = ()  # (basic code, name)
    merged_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    """A version of the basic catalogue and the changes it makes."""

    version: str
    entries: tuple[BasicChange, ...]
    description: str = ""


@dataclass
class Applied:
    """What applying a release did: the basic codes it retired."""

    retired: list[str] = field(default_factory=list)


class ProvincialCatalogueSource(Protocol):
    """The provincial platform's catalogue sync (an adapter in the gateway implements it)."""

    def fetch(self, version: str) -> Release:
        """The release of this version (its entries), as the province publishes it."""
        ...


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a catalogue version: "2026.12" → (2026, 12)."""
    return tuple(int(part) for part in version.split("."))


def _invalid(path: str, message: str) -> InvalidArgument:
    return InvalidArgument(
        f"基本目录第{path}有误：{message}",
        code="INVALID_BASIC_CATALOGUE",
        message_en=f"invalid basic catalogue entry {path}",
        fields={path: message},
    )


def validate_release(release: Release) -> None:
    """Shape of a release: version, codes, change kinds, the fields each kind needs."""
    if not VERSION.match(release.version):
        raise _invalid("version", "目录版本号应为数字和点，例如 2026.12。")
    if not release.entries:
        raise _invalid("entries", "目录版本中没有任何事项。")
    for i, entry in enumerate(release.entries):
        path = f"entries.{i}"
        if not BASIC_CODE.match(entry.basic_code):
            raise _invalid(f"{path}.basic_code", "基本编码应为12位数字或大写字母。")
        if entry.change not in CHANGE_KINDS:
            raise _invalid(f"{path}.change", "变更类型应为 add、change、split、merge、suspend 或 cancel。")
        if entry.change == "add" and not entry.name.strip():
            raise _invalid(f"{path}.name", "新增事项请填写事项名称。")
        if entry.item_type and entry.item_type not in ITEM_TYPES:
            raise _invalid(f"{path}.item_type", "事项类型应为 01 至 10 或 20。")
        if entry.change == "add" and not entry.item_type:
            raise _invalid(f"{path}.item_type", "新增事项请填写事项类型。")
        if not set(entry.exercise_levels) <= {1, 2, 3, 4}:
            raise _invalid(f"{path}.exercise_levels", "行使层级应为 1 国家、2 省、3 市、4 县。")
        if entry.change == "split" and len(entry.split_into) < 2:
            raise _invalid(f"{path}.split_into", "拆分请列出至少两个拆分后的事项。")
        if entry.change == "merge" and not entry.merged_from:
            raise _invalid(f"{path}.merged_from", "合并请列出被合并的事项编码。")
        for code, _ in entry.split_into:
            if not BASIC_CODE.match(code):
                raise _invalid(f"{path}.split_into", "拆分后的基本编码应为12位数字或大写字母。")


def _existing(session: Session, code: str, path: str) -> BasicItem:
    item = session.get(BasicItem, code)
    if item is None:
        raise _invalid(path, f"基本目录中没有编码为 {code} 的事项。")
    return item


def _new(
    session: Session,
    path: str,
    code: str,
    *,
    name: str,
    like: BasicItem | None,
    entry: BasicChange,
    version: str,
    province: str,
) -> BasicItem:
    if session.get(BasicItem, code) is not None:
        raise _invalid(path, f"基本编码 {code} 已存在，不能重复新增。")
    item = BasicItem(
        basic_code=code,
        tenant=province,
        name=name or (like.name if like else ""),
        item_type=entry.item_type or (like.item_type if like else ""),
        exercise_levels=list(entry.exercise_levels or (like.exercise_levels if like else [])),
        legal_basis=entry.legal_basis or (like.legal_basis if like else ""),
        status="active",
        catalogue_version=version,
        successors=[],
    )
    if not item.name or item.item_type not in ITEM_TYPES:
        raise _invalid(path, f"新事项 {code} 请填写名称和事项类型。")
    session.add(item)
    return item


def apply_change(
    session: Session, i: int, entry: BasicChange, version: str, province: str, out: Applied
) -> None:
    """Apply one entry in the caller's transaction (the service owns the transaction)."""
    path = f"entries.{i}"
    kind = entry.change
    if kind == "add":
        _new(
            session,
            f"{path}.basic_code",
            entry.basic_code,
            name=entry.name,
            like=None,
            entry=entry,
            version=version,
            province=province,
        )
    elif kind in ("change", "suspend", "cancel"):
        item = _existing(session, entry.basic_code, f"{path}.basic_code")
        if item.status in RETIRED:
            raise _invalid(f"{path}.basic_code", f"事项 {entry.basic_code} 已取消、拆分或合并，不能再变更。")
        if kind == "change":
            item.name = entry.name or item.name
            item.item_type = entry.item_type or item.item_type
            item.exercise_levels = list(entry.exercise_levels or item.exercise_levels)
            item.legal_basis = entry.legal_basis or item.legal_basis
        elif kind == "suspend":
            item.status = "suspended"
        else:
            item.status = "cancelled"
            out.retired.append(item.basic_code)
        item.catalogue_version = version
    elif kind == "split":
        source = _existing(session, entry.basic_code, f"{path}.basic_code")
        if source.status in RETIRED:
            raise _invalid(f"{path}.basic_code", f"事项 {entry.basic_code} 已取消、拆分或合并，不能再拆分。")
        for code, name in entry.split_into:
            _new(
                session,
                f"{path}.split_into",
                code,
                name=name,
                like=source,
                entry=entry,
                version=version,
                province=province,
            )
        source.status, source.successors = "split", [code for code, _ in entry.split_into]
        source.catalogue_version = version
        out.retired.append(source.basic_code)
    elif kind == "merge":
        target = session.get(BasicItem, entry.basic_code)
        sources = [_existing(session, code, f"{path}.merged_from") for code in entry.merged_from]
        if any(s.status in RETIRED for s in sources):
            raise _invalid(f"{path}.merged_from", "被合并的事项中有已取消、拆分或合并的事项。")
        if target is None:
            target = _new(
                session,
                f"{path}.basic_code",
                entry.basic_code,
                name=entry.name,
                like=sources[0],
                entry=entry,
                version=version,
                province=province,
            )
        else:
            target.name = entry.name or target.name
            target.legal_basis = entry.legal_basis or target.legal_basis
            target.catalogue_version = version
        for source in sources:
            if source.basic_code == target.basic_code:
                continue
            source.status, source.successors = "merged", [target.basic_code]
            source.catalogue_version = version
            out.retired.append(source.basic_code)
    session.add(
        BasicChangeRecord(
            catalogue_version=version,
            basic_code=entry.basic_code,
            change=kind,
            detail={
                "name": entry.name,
                "split_into": [list(s) for s in entry.split_into],
                "merged_from": list(entry.merged_from),
            },
        )
    )
    session.flush()
