"""Import of the catalogue file format (YAML) into releases, departments, implementations and bundles.

The format (services/catalog/README.md documents it in full):

    meta: {sample: true, description, version}
    basic_catalogue:
      version: "2026.11"
      entries: [{basic_code, name, item_type, exercise_levels, legal_basis, change: add}]
      changes: {version: "2026.12", entries: [{basic_code, change, name?, legal_basis?,
                                                split_into?: [{basic_code, name}], merged_from?: [...]}]}
    departments: [{tenant, prefix17, name, short_name}]
    implementations: [{tenant, dept_prefix17, basic_code, keywords, guide: {...}}]
    bundles: [{code, tenant, name, description, items: [basic codes]}]

`YamlCatalogueSource` is a ProvincialCatalogueSource over such a file; the provincial platform's
own sync is an adapter with the same `fetch(version)` in the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ywtb.catalog.basic import BasicChange, Release
from ywtb.common.codes import make_credit_code
from ywtb.common.errors import InvalidArgument, NotFound

SAMPLE = "data/sample_catalogue.yaml"


@dataclass(frozen=True)
class Department:
    tenant: str
    credit_code: str
    name: str
    short_name: str = ""


@dataclass(frozen=True)
class Implementation:
    tenant: str
    dept: str  # credit code
    basic_code: str
    keywords: str
    guide: dict[str, Any]


@dataclass(frozen=True)
class BundleSpec:
    code: str
    tenant: str
    name: str
    description: str
    basic_codes: tuple[str, ...]


@dataclass
class CatalogueFile:
    """Everything one catalogue file holds."""

    meta: dict[str, Any]
    releases: list[Release] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    implementations: list[Implementation] = field(default_factory=list)
    bundles: list[BundleSpec] = field(default_factory=list)

    def department(self, credit_code: str) -> Department:
        """A department of the file by its credit code."""
        return next(d for d in self.departments if d.credit_code == credit_code)


def _change(raw: dict[str, Any], default: str) -> BasicChange:
    return BasicChange(
        basic_code=str(raw["basic_code"]).strip().upper(),
        change=str(raw.get("change") or default),
        name=str(raw.get("name") or ""),
        item_type=str(raw.get("item_type") or ""),
        exercise_levels=tuple(int(level) for level in raw.get("exercise_levels") or ()),
        legal_basis=str(raw.get("legal_basis") or ""),
        split_into=tuple(
            (str(s["basic_code"]).strip().upper(), str(s["name"])) for s in raw.get("split_into") or ()
        ),
        merged_from=tuple(str(code).strip().upper() for code in raw.get("merged_from") or ()),
    )


def _release(raw: dict[str, Any], default_change: str, description: str) -> Release:
    return Release(
        version=str(raw["version"]),
        entries=tuple(_change(entry, default_change) for entry in raw.get("entries") or ()),
        description=description,
    )


def parse_catalogue(text: str) -> CatalogueFile:
    """A catalogue file's contents; InvalidArgument naming the first malformed part."""
    try:
        doc = yaml.safe_load(text) or {}
        meta = dict(doc.get("meta") or {})
        description = str(meta.get("description") or "")
        out = CatalogueFile(meta=meta)
        basic_doc = doc.get("basic_catalogue") or {}
        if basic_doc.get("entries"):
            out.releases.append(_release(basic_doc, "add", description))
        if (basic_doc.get("changes") or {}).get("entries"):
            out.releases.append(_release(basic_doc["changes"], "change", description))
        out.departments = [
            Department(
                str(d["tenant"]),
                make_credit_code(str(d["prefix17"])),
                str(d["name"]),
                str(d.get("short_name") or ""),
            )
            for d in doc.get("departments") or ()
        ]
        out.implementations = [
            Implementation(
                tenant=str(i["tenant"]),
                dept=make_credit_code(str(i["dept_prefix17"])),
                basic_code=str(i["basic_code"]).strip().upper(),
                keywords=str(i.get("keywords") or ""),
                guide=dict(i.get("guide") or {}),
            )
            for i in doc.get("implementations") or ()
        ]
        out.bundles = [
            BundleSpec(
                code=str(b["code"]),
                tenant=str(b["tenant"]),
                name=str(b["name"]),
                description=str(b.get("description") or ""),
                basic_codes=tuple(str(code).strip().upper() for code in b.get("items") or ()),
            )
            for b in doc.get("bundles") or ()
        ]
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        message = f"目录文件格式不正确：{exc}"
        raise InvalidArgument(
            message, code="INVALID_CATALOGUE_FILE", message_en=f"malformed catalogue file: {exc}"
        ) from exc
    return out


def load_catalogue(path: str | Path) -> CatalogueFile:
    """Read and parse a catalogue file."""
    return parse_catalogue(Path(path).read_text(encoding="utf-8"))


def sample_path() -> Path | None:
    """The shipped sample catalogue (SAMPLE DATA), or None when it is not there."""
    path = Path(str(resources.files("ywtb.catalog").joinpath(SAMPLE)))
    return path if path.exists() else None


class YamlCatalogueSource:
    """A ProvincialCatalogueSource over a catalogue file (for imports and tests)."""

    def __init__(self, path: str | Path) -> None:
        self.catalogue = load_catalogue(path)

    def fetch(self, version: str) -> Release:
        """The release of this version in the file."""
        for release in self.catalogue.releases:
            if release.version == version:
                return release
        raise NotFound(f"目录文件中没有 {version} 版。", code="CATALOGUE_VERSION_NOT_FOUND")
