"""The guide edit form (办事指南编辑表单) ↔ the Guide JSON of PUT /api/v1/catalog/items/{id}/guide.

Form field names are the guide's element paths ("name", "legal_limit.value", "materials.0.name"),
so the catalogue service's field messages ("guide.materials.0.name") land on the right inputs.
Enumerations travel as the proto enum names the gateway reads and returns ("TIME_UNIT_WORKDAY").
Repeated elements (fees, FAQs, materials) are numbered rows; blank rows and rows marked for
deletion are dropped and the rest renumbered before the guide is built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ywtb.common.structs import whole_numbers
from ywtb.portal.labels import CODES, PREFIXES

Translate = Callable[..., str]


@dataclass(frozen=True)
class RowSpec:
    """The fields of one repeated guide element: free texts, check boxes, other inputs, new-row defaults."""

    texts: tuple[str, ...]
    checks: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)


ROWS: dict[str, RowSpec] = {
    "fees": RowSpec(("name", "standard", "basis", "reductions"), ("charged",), (), {"charged": "1"}),
    "faqs": RowSpec(("q", "a")),
    "materials": RowSpec(
        ("name", "licence_type", "blank_form", "sample", "standard"),
        ("required", "may_be_missing"),
        ("kind", "source", "copies"),
        {
            "required": "1",
            "kind": "MATERIAL_KIND_ORIGINAL",
            "source": "MATERIAL_SOURCE_APPLICANT",
            "copies": "1",
        },
    ),
}
# Blank rows shown under the filled ones, and how many an "add rows" button adds.
BLANK_ROWS = {"fees": 1, "faqs": 1, "materials": 2}
ADD_ROWS = 3
TEXTS = (
    "name",
    "conditions",
    "legal_basis",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "process",
    "flow",
    "special_procedures",
)
FLAGS = ("appointment", "express_delivery", "online_payment", "no_materials")
RESULT_TEXTS = ("name", "licence_type", "sample")
# single-choice fields → their code list in ywtb.portal.labels
ENUMS = {
    "case_type": "case_type",
    "legal_limit.unit": "time_unit",
    "promised_limit.unit": "time_unit",
    "result.type": "result_type",
}
ROW_ENUMS = {"kind": "material_kind", "source": "material_source"}
# (min, max) of the whole-number fields, as the catalogue's guide model allows them
RANGES = {"legal_limit.value": (0, 3650), "promised_limit.value": (0, 3650), "visits": (0, 10)}
COPIES_RANGE = (0, 100)
ONLINE_DEPTHS = tuple(str(n) for n in range(8))  # 0 = not chosen yet
REAL_NAME_LEVELS = ("0", "2", "3", "4", "5")  # 0 = any (DOMAIN.md §8)
THEME_SEPARATORS = re.compile(r"[、,，;；\n]+")
# A service message on a whole element is shown on the input that holds its number or name.
ERROR_TARGETS = {
    "legal_limit": "legal_limit.value",
    "promised_limit": "promised_limit.value",
    "result": "result.name",
    "fees": "fees.0.name",
    "faqs": "faqs.0.q",
}
_ROW_KEY = re.compile(r"^(fees|faqs|materials)\.(\d+)\.(\w+)$")


def enum_values(kind: str) -> tuple[str, ...]:
    """The proto enum names (or plain codes) of a code list."""
    return tuple(PREFIXES[kind] + code for code in CODES[kind])


def _flag(value: Any) -> str:
    return "1" if value else ""


def guide_to_form(guide: Mapping[str, Any], keywords: str = "") -> dict[str, Any]:
    """The form values of a guide as the gateway returns it (an item's draft or a version)."""
    values: dict[str, Any] = {name: str(guide.get(name) or "") for name in TEXTS}
    values.update({name: _flag(guide.get(name)) for name in FLAGS})
    for limit in ("legal_limit", "promised_limit"):
        part = guide.get(limit) or {}
        values[f"{limit}.value"] = str(part.get("value") or 0)
        values[f"{limit}.unit"] = _enum(part.get("unit"), "time_unit")
    values["case_type"] = _enum(guide.get("case_type"), "case_type", "CASE_TYPE_PROMISED")
    values["visits"] = str(guide.get("visits", 1))
    values["online_depth"] = str(guide.get("online_depth") or 0)
    values["min_real_name_level"] = str(guide.get("min_real_name_level") or 0)
    values["service_objects"] = [
        v for v in guide.get("service_objects") or [] if v in enum_values("service_object")
    ]
    values["themes"] = "、".join(guide.get("themes") or [])
    result = guide.get("result") or {}
    values.update({f"result.{name}": str(result.get(name) or "") for name in RESULT_TEXTS})
    values["result.type"] = _enum(result.get("type"), "result_type", "RESULT_TYPE_OTHER")
    for section, spec in ROWS.items():
        for i, row in enumerate(guide.get(section) or []):
            for name in spec.texts:
                values[f"{section}.{i}.{name}"] = str(row.get(name) or "")
            for name in spec.checks:
                values[f"{section}.{i}.{name}"] = _flag(row.get(name))
            if section == "materials":
                values[f"{section}.{i}.kind"] = _enum(
                    row.get("kind"), "material_kind", "MATERIAL_KIND_ORIGINAL"
                )
                values[f"{section}.{i}.source"] = _enum(
                    row.get("source"), "material_source", "MATERIAL_SOURCE_APPLICANT"
                )
                values[f"{section}.{i}.copies"] = str(row.get("copies") or 0)
    schema = guide.get("form_schema") or {}
    values["form_schema"] = json.dumps(whole_numbers(schema), ensure_ascii=False, indent=2) if schema else ""
    values["keywords"] = keywords
    return values


def _enum(value: Any, kind: str, default: str = "") -> str:
    text = str(value or "")
    return text if text in enum_values(kind) else default or enum_values(kind)[0]


def row_count(values: Mapping[str, Any], section: str) -> int:
    """How many rows of `section` the values hold (the highest row number + 1)."""
    numbers = [int(m.group(2)) for key in values if (m := _ROW_KEY.match(key)) and m.group(1) == section]
    return max(numbers) + 1 if numbers else 0


def normalise(form: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form as values: service objects as a list, rows blank or marked for deletion dropped
    and the rest renumbered (so that row i of the form is element i of the guide)."""
    values = {k: v for k, v in form.items() if k not in ("csrf", "_action") and not _ROW_KEY.match(k)}
    objects = form.get("service_objects") or []
    values["service_objects"] = [objects] if isinstance(objects, str) else list(objects)
    for section, spec in ROWS.items():
        kept = 0
        for i in range(row_count(form, section)):
            row = {name: str(form.get(f"{section}.{i}.{name}") or "") for name in (*spec.texts, *spec.others)}
            row.update({name: _flag(form.get(f"{section}.{i}.{name}")) for name in spec.checks})
            if form.get(f"{section}.{i}.delete") or not any(row[name].strip() for name in spec.texts):
                continue
            values.update({f"{section}.{kept}.{name}": value for name, value in row.items()})
            kept += 1
    return values


def with_blank_rows(values: Mapping[str, Any], add: str = "") -> tuple[dict[str, Any], dict[str, int]]:
    """The values with blank rows (new-row defaults) under each section, more under `add`; the row counts."""
    shown = dict(values)
    counts = {}
    for section, spec in ROWS.items():
        filled = row_count(values, section)
        counts[section] = filled + BLANK_ROWS[section] + (ADD_ROWS if add == section else 0)
        for i in range(filled, counts[section]):
            for name in (*spec.texts, *spec.checks, *spec.others):
                shown[f"{section}.{i}.{name}"] = spec.defaults.get(name, "")
    return shown, counts


def form_to_guide(values: Mapping[str, Any], t: Translate) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The Guide JSON, the keywords and the form's own field messages (format errors) of normalised values."""
    errors: dict[str, str] = {}
    guide: dict[str, Any] = {name: str(values.get(name) or "").strip() for name in TEXTS}
    guide.update({name: bool(values.get(name)) for name in FLAGS})
    for name, kind in ENUMS.items():
        if str(values.get(name) or "") not in enum_values(kind):
            errors[name] = t("admin.guide.error.choose")
    for limit in ("legal_limit", "promised_limit"):
        guide[limit] = {
            "value": _whole(values, f"{limit}.value", RANGES[f"{limit}.value"], errors, t),
            "unit": values.get(f"{limit}.unit"),
        }
    guide["case_type"] = values.get("case_type")
    guide["visits"] = _whole(values, "visits", RANGES["visits"], errors, t)
    depth = str(values.get("online_depth") or "0")
    if depth not in ONLINE_DEPTHS:
        errors["online_depth"] = t("admin.guide.error.choose")
    guide["online_depth"] = int(depth) if depth in ONLINE_DEPTHS else 0
    level = str(values.get("min_real_name_level") or "0")
    if level not in REAL_NAME_LEVELS:
        errors["min_real_name_level"] = t("admin.guide.error.choose")
    guide["min_real_name_level"] = int(level) if level in REAL_NAME_LEVELS else 0
    objects = values.get("service_objects") or []
    allowed = enum_values("service_object")
    if any(o not in allowed for o in objects):
        errors["service_objects"] = t("admin.guide.error.choose")
    guide["service_objects"] = [o for o in allowed if o in objects]
    guide["themes"] = [
        s.strip() for s in THEME_SEPARATORS.split(str(values.get("themes") or "")) if s.strip()
    ]
    guide["result"] = {name: str(values.get(f"result.{name}") or "").strip() for name in RESULT_TEXTS}
    guide["result"]["type"] = values.get("result.type")
    for section, spec in ROWS.items():
        rows = []
        for i in range(row_count(values, section)):
            row: dict[str, Any] = {
                name: str(values.get(f"{section}.{i}.{name}") or "").strip() for name in spec.texts
            }
            row.update({name: bool(values.get(f"{section}.{i}.{name}")) for name in spec.checks})
            if section == "materials":
                for name, kind in ROW_ENUMS.items():
                    row[name] = values.get(f"{section}.{i}.{name}")
                    if row[name] not in enum_values(kind):
                        errors[f"{section}.{i}.{name}"] = t("admin.guide.error.choose")
                row["copies"] = _whole(values, f"{section}.{i}.copies", COPIES_RANGE, errors, t)
            rows.append(row)
        guide[section] = rows
    guide["form_schema"] = _schema(str(values.get("form_schema") or ""), errors, t)
    return guide, str(values.get("keywords") or "").strip(), errors


def _whole(
    values: Mapping[str, Any], name: str, bounds: tuple[int, int], errors: dict[str, str], t: Translate
) -> int:
    text = str(values.get(name) or "").strip() or "0"
    low, high = bounds
    if not re.fullmatch(r"\d{1,5}", text) or not low <= int(text) <= high:
        errors[name] = t("admin.guide.error.whole", low=low, high=high)
        return 0
    return int(text)


def _schema(text: str, errors: dict[str, str], t: Translate) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        errors["form_schema"] = t("admin.guide.error.json", line=exc.lineno, column=exc.colno)
        return {}
    if not isinstance(schema, dict):
        errors["form_schema"] = t("admin.guide.error.json_object")
        return {}
    return schema


def service_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """The catalogue's field messages ("guide.promised_limit") keyed by the form's inputs."""
    errors: dict[str, str] = {}
    for path, message in fields.items():
        name = path.removeprefix("guide.") if path != "guide" else "_form"
        if name == "expected_revision":
            name = "_form"
        errors.setdefault(ERROR_TARGETS.get(name, name), message)
    return errors
