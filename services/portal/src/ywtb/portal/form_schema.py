"""The application form's inputs from an item's JSON Schema and its materials, and submitted data shown back.

Posted names: `form.<key>` (schema fields, nested keys dotted) and `material.<n>` (file inputs).
What the posted values become is application_form's part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ywtb.common.forms import merged_form_schema
from ywtb.portal import labels
from ywtb.portal.i18n import translate

FORM_PREFIX = "form."
TEXTAREA_MIN_LENGTH = 200  # strings allowed to be longer than this get a multi-line box
INPUT_TYPES = {"date": "date", "date-time": "datetime-local", "time": "time", "email": "email"}


@dataclass(frozen=True)
class FormField:
    """One input of the application form, made from one property of the schema."""

    key: str  # path in form_data, dotted for nested objects
    label: str
    kind: str  # text, textarea, number, integer, date, datetime-local, time, email, boolean, select, checkboxes, lines
    required: bool
    schema: Mapping[str, Any]
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """The posted name."""
        return FORM_PREFIX + self.key

    def attrs(self) -> dict[str, str]:
        """HTML constraint attributes (shown by the browser; the form is validated here, novalidate)."""
        s, result = self.schema, {}
        if self.kind in ("number", "integer"):
            result["step"] = "1" if self.kind == "integer" else "any"
            result["inputmode"] = "numeric" if self.kind == "integer" else "decimal"
            for bound, attr in (("minimum", "min"), ("maximum", "max")):
                if is_number(s.get(bound)):
                    result[attr] = number_text(s[bound])
        if self.kind in ("text", "textarea", "email") and is_number(s.get("maxLength")):
            result["maxlength"] = str(int(s["maxLength"]))
        return result


@dataclass(frozen=True)
class MaterialSlot:
    """A material the applicant uploads (government-issued ones are fetched, not uploaded)."""

    index: int
    material: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The file input's name."""
        return f"material.{self.index}"

    @property
    def title(self) -> str:
        """The material name as in the guide."""
        return str(self.material.get("name", ""))

    @property
    def required(self) -> bool:
        """A required material (missing ones are told in one deficiency notice)."""
        return bool(self.material.get("required"))


# -- schema → fields


def is_number(value: Any) -> bool:
    """A JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_text(value: float) -> str:
    """A bound as written in messages: 5, not 5.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _options(schema: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(value, text) of an enum; texts from x-enumNames / enumNames or oneOf const/title."""
    if "enum" in schema:
        names = schema.get("x-enumNames") or schema.get("enumNames") or []
        return tuple(
            (str(v), str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(schema["enum"])
        )
    choices = schema.get("oneOf") or schema.get("anyOf") or []
    if choices and all(isinstance(c, Mapping) and "const" in c for c in choices):
        return tuple((str(c["const"]), str(c.get("title", c["const"]))) for c in choices)
    return ()


def enum_values(schema: Mapping[str, Any]) -> list[Any]:
    """The allowed values of an enum (or oneOf consts), typed as in the schema."""
    if "enum" in schema:
        return list(schema["enum"])
    return [c["const"] for c in schema.get("oneOf") or schema.get("anyOf") or [] if "const" in c]


def _ordered(schema: Mapping[str, Any]) -> list[str]:
    """Property names in display order: x-order / propertyOrder, else required ones first, then the rest."""
    props = schema.get("properties") or {}
    explicit = schema.get("x-order") or schema.get("propertyOrder")
    first = [k for k in (explicit or schema.get("required") or []) if k in props]
    return first + [k for k in props if k not in first]


def _kind(schema: Mapping[str, Any]) -> str:
    kind = _type(schema)
    if _options(schema):
        return "select"
    if kind == "boolean":
        return "boolean"
    if kind in ("number", "integer"):
        return kind
    if kind == "array":
        return "checkboxes" if _options(schema.get("items") or {}) else "lines"
    fmt = str(schema.get("format", ""))
    if fmt in INPUT_TYPES:
        return INPUT_TYPES[fmt]
    if fmt == "textarea" or schema.get("x-widget") == "textarea":
        return "textarea"
    longest = schema.get("maxLength")
    return "textarea" if isinstance(longest, int | float) and longest > TEXTAREA_MIN_LENGTH else "text"


def schema_fields(schema: Mapping[str, Any] | None, prefix: str = "") -> list[FormField]:
    """The inputs of an object schema, in display order; nested objects are flattened (dotted keys)."""
    if not schema:
        return []
    required = set(schema.get("required") or [])
    result: list[FormField] = []
    for key in _ordered(schema):
        prop = schema["properties"][key]
        if not isinstance(prop, Mapping) or prop.get("readOnly"):
            continue
        path = f"{prefix}{key}"
        if _type(prop) == "object" and prop.get("properties"):
            result += schema_fields(prop, path + ".")
            continue
        kind = _kind(prop)
        options = _options(prop.get("items") or {}) if kind == "checkboxes" else _options(prop)
        result.append(
            FormField(
                key=path,
                label=str(prop.get("title") or key),
                kind=kind,
                required=key in required,
                schema=prop,
                description=str(prop.get("description", "")),
                options=options,
            )
        )
    return result


def field_hint(lang: str, item: FormField) -> str:
    """The help text under a label: the description and the limits in words."""
    parts = [item.description] if item.description else []
    s = item.schema
    low, high = s.get("minimum", s.get("exclusiveMinimum")), s.get("maximum", s.get("exclusiveMaximum"))
    if item.kind in ("number", "integer") and (is_number(low) or is_number(high)):
        if is_number(low) and is_number(high):
            parts.append(translate(lang, "citizen.hint.range", low=number_text(low), high=number_text(high)))
        elif is_number(low):
            parts.append(translate(lang, "citizen.hint.min", n=number_text(low)))
        else:
            parts.append(translate(lang, "citizen.hint.max", n=number_text(high)))
    if item.kind in ("text", "textarea") and is_number(s.get("maxLength")):
        parts.append(translate(lang, "citizen.hint.max_length", n=int(s["maxLength"])))
    if item.kind == "date":
        parts.append(translate(lang, "citizen.hint.date"))
    if item.kind == "lines":
        parts.append(translate(lang, "citizen.hint.lines"))
    return "；".join(parts) if lang != "en" else "; ".join(parts)


# -- submitted form_data → inputs and rows


def form_values(fields: list[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs' values for saved form_data (the correction form starts from what was submitted)."""
    values: dict[str, Any] = {}
    for item in fields:
        node: Any = data
        for part in item.key.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            continue
        if item.kind == "boolean":
            values[item.name] = bool(node)
        elif item.kind == "checkboxes":
            values[item.name] = [str(v) for v in node] if isinstance(node, list) else []
        elif item.kind == "lines":
            values[item.name] = "\n".join(map(str, node)) if isinstance(node, list) else str(node)
        elif item.kind in ("datetime-local", "time") and isinstance(node, str):
            values[item.name] = node[:16] if item.kind == "datetime-local" else node[:5]
        elif isinstance(node, float) and node.is_integer():
            values[item.name] = str(int(node))
        else:
            values[item.name] = str(node)
    return values


def form_rows(lang: str, fields: list[FormField], data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of submitted form_data in the form's order; keys the schema does not know come last."""
    values = form_values(fields, data)
    rows = []
    for item in fields:
        value = values.get(item.name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            text = translate(lang, "common.yes" if value else "common.no")
        elif isinstance(value, list):
            text = (", " if lang == "en" else "、").join(dict(item.options).get(v) or str(v) for v in value)
        else:
            text = dict(item.options).get(value, value)
        rows.append((item.label, text))
    known = {item.key.split(".")[0] for item in fields}
    rows += [(key, str(value)) for key, value in data.items() if key not in known]
    return rows


# -- materials


def material_slots(materials: Sequence[Mapping[str, Any]]) -> list[MaterialSlot]:
    """The materials the applicant uploads, numbered by their place in the guide."""
    return [
        MaterialSlot(index, m)
        for index, m in enumerate(materials)
        if labels.short_code("material_source", m.get("source")) != "GOVERNMENT"
    ]


# -- 一件事 bundles (the gateway's Bundle JSON)


def bundle_schema(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The bundle's form: the merged schema of its items' live versions, as intake validates it."""
    guides = [item.get("guide") or {} for item in bundle.get("items", [])]
    return merged_form_schema([dict(g.get("form_schema") or {}) for g in guides])


def bundle_materials(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The merged material list, each material with the ids of the items asking for it (`item_ids`)."""
    return [
        {**(m.get("material") or {}), "item_ids": list(m.get("item_ids") or [])}
        for m in bundle.get("materials", [])
    ]
