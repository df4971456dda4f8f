"""The application form: an item's JSON Schema → form fields, and posted values → the JSON the gateway wants.

Posted names: `form.<key>` (schema fields, nested keys dotted), `applicant.<field>`, `material.<n>`
(file inputs) with `material.<n>.kept` ("<file id>/<file name>" of files already uploaded).
Every parse returns (data, errors, values): `values` holds what the user typed, for re-filling.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ywtb.common.codes import validate_credit_code, validate_id_number
from ywtb.common.errors import InvalidArgument
from ywtb.portal import labels
from ywtb.portal.i18n import translate

FORM_PREFIX = "form."
TEXTAREA_MIN_LENGTH = 200  # strings allowed to be longer than this get a multi-line box
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # intake's default limit, checked again by the service
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^1\d{10}$")
INPUT_TYPES = {"date": "date", "date-time": "datetime-local", "time": "time", "email": "email"}
LEGAL_KINDS = ("2", "3", "4", "5", "6", "9")
GOVERNMENT_SOURCE = "MATERIAL_SOURCE_GOVERNMENT"

Posted = Mapping[str, Any]
Errors = dict[str, str]


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
                if _is_number(s.get(bound)):
                    result[attr] = _number_text(s[bound])
        if self.kind in ("text", "textarea", "email") and _is_number(s.get("maxLength")):
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


@dataclass
class KeptFile:
    """A file uploaded for a material in an earlier attempt of the same form."""

    file_id: str
    file_name: str

    @property
    def token(self) -> str:
        """The hidden input's value."""
        return f"{self.file_id}/{self.file_name}"


@dataclass
class Applicant:
    """The parsed applicant part: the gateway's JSON, messages and the values to re-fill."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    legal: bool = False


# -- schema → fields


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_text(value: float) -> str:
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
    return "textarea" if _is_number(longest) and longest > TEXTAREA_MIN_LENGTH else "text"


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
    if item.kind in ("number", "integer") and (_is_number(low) or _is_number(high)):
        if _is_number(low) and _is_number(high):
            parts.append(
                translate(lang, "citizen.hint.range", low=_number_text(low), high=_number_text(high))
            )
        elif _is_number(low):
            parts.append(translate(lang, "citizen.hint.min", n=_number_text(low)))
        else:
            parts.append(translate(lang, "citizen.hint.max", n=_number_text(high)))
    if item.kind in ("text", "textarea") and _is_number(s.get("maxLength")):
        parts.append(translate(lang, "citizen.hint.max_length", n=int(s["maxLength"])))
    if item.kind == "date":
        parts.append(translate(lang, "citizen.hint.date"))
    if item.kind == "lines":
        parts.append(translate(lang, "citizen.hint.lines"))
    return "；".join(parts) if lang != "en" else "; ".join(parts)


# -- posted values → form_data


def _text(posted: Posted, name: str) -> str:
    value = posted.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return value.strip() if isinstance(value, str) else ""


def _all(posted: Posted, name: str) -> list[str]:
    value = posted.get(name, [])
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v != ""]


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _number(text: str, integer: bool) -> int | float | None:
    text = text.replace("，", "").replace(",", "")
    if integer:
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _check_number(lang: str, item: FormField, value: float) -> str:
    s, label = item.schema, item.label
    checks = (
        ("minimum", lambda b: value < b, "citizen.form.min"),
        ("maximum", lambda b: value > b, "citizen.form.max"),
        ("exclusiveMinimum", lambda b: value <= b, "citizen.form.gt"),
        ("exclusiveMaximum", lambda b: value >= b, "citizen.form.lt"),
    )
    for bound, broken, key in checks:
        if _is_number(s.get(bound)) and broken(s[bound]):
            return translate(lang, key, label=label, n=_number_text(s[bound]))
    return ""


def _check_string(lang: str, item: FormField, text: str) -> tuple[Any, str]:
    """(JSON value, message) of one string input."""
    s, label = item.schema, item.label
    if _is_number(s.get("minLength")) and len(text) < s["minLength"]:
        return text, translate(lang, "citizen.form.min_length", label=label, n=int(s["minLength"]))
    if _is_number(s.get("maxLength")) and len(text) > s["maxLength"]:
        return text, translate(lang, "citizen.form.max_length", label=label, n=int(s["maxLength"]))
    fmt = s.get("format")
    value: Any = text
    if fmt == "date":
        try:
            value = dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return text, translate(lang, "citizen.form.date", label=label)
    elif fmt in ("date-time", "time"):
        value, message = _moment(lang, label, text, fmt)
        if message:
            return text, message
    elif fmt == "email" and not EMAIL.match(text):
        return text, translate(lang, "citizen.form.email", label=label)
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        try:
            matched = re.search(pattern, text) is not None
        except re.error:
            matched = True  # a pattern Python cannot read: the service's validator decides
        if not matched:
            key = "citizen.form.pattern_hint" if item.description else "citizen.form.pattern"
            return text, translate(lang, key, label=label, hint=item.description)
    return value, ""


def _moment(lang: str, label: str, text: str, fmt: str) -> tuple[str, str]:
    """An RFC 3339 date-time or time (China time) from the browser's datetime-local / time value."""
    try:
        if fmt == "time":
            moment = dt.time.fromisoformat(text)
            return moment.replace(microsecond=0).isoformat() + "+08:00", ""
        stamp = dt.datetime.fromisoformat(text)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        return stamp.isoformat(), ""
    except ValueError:
        return text, translate(
            lang, "citizen.form.datetime" if fmt != "time" else "citizen.form.time", label=label
        )


def _enum_value(item: FormField, text: str, schema: Mapping[str, Any]) -> tuple[bool, Any]:
    for value in enum_values(schema):
        if str(value) == text:
            return True, value
    return False, None


def parse_form(
    lang: str, fields: list[FormField], posted: Posted
) -> tuple[dict[str, Any], Errors, dict[str, Any]]:
    """(form_data, messages by input name, values to re-fill) of the posted schema inputs."""
    data: dict[str, Any] = {}
    errors: Errors = {}
    values: dict[str, Any] = {}
    for item in fields:
        value, message = _parse_one(lang, item, posted, values)
        if message:
            errors[item.name] = message
        elif value is not None:
            _put(data, item.key, value)
    return data, errors, values


def _parse_one(lang: str, item: FormField, posted: Posted, values: dict[str, Any]) -> tuple[Any, str]:
    """(JSON value or None when empty, message) of one input; records the typed value in `values`."""
    label = item.label
    if item.kind == "boolean":
        checked = _text(posted, item.name) in ("on", "true", "1", "yes")
        values[item.name] = checked
        if item.schema.get("const") is True and not checked:
            return None, translate(lang, "citizen.form.must_check", label=label)
        return checked, ""
    if item.kind in ("checkboxes", "lines"):
        return _parse_list(lang, item, posted, values)
    text = _text(posted, item.name)
    values[item.name] = text
    if not text:
        if item.required:
            key = "citizen.form.choose" if item.kind == "select" else "citizen.form.required"
            return None, translate(lang, key, label=label)
        return None, ""
    if item.kind == "select":
        found, value = _enum_value(item, text, item.schema)
        return (value, "") if found else (None, translate(lang, "citizen.form.enum", label=label))
    if item.kind in ("number", "integer"):
        number = _number(text, item.kind == "integer")
        if number is None:
            key = "citizen.form.integer" if item.kind == "integer" else "citizen.form.number"
            return None, translate(lang, key, label=label)
        return number, _check_number(lang, item, number)
    return _check_string(lang, item, text)


def _parse_list(lang: str, item: FormField, posted: Posted, values: dict[str, Any]) -> tuple[Any, str]:
    label, s = item.label, item.schema
    if item.kind == "checkboxes":
        chosen = _all(posted, item.name)
        values[item.name] = chosen
        typed = []
        for text in chosen:
            found, value = _enum_value(item, text, s.get("items") or {})
            if not found:
                return None, translate(lang, "citizen.form.enum", label=label)
            typed.append(value)
    else:
        raw = _text(posted, item.name)
        values[item.name] = raw
        typed = [line.strip() for line in raw.splitlines() if line.strip()]
    if not typed:
        if item.required or _is_number(s.get("minItems")) and s["minItems"] > 0:
            key = "citizen.form.choose" if item.kind == "checkboxes" else "citizen.form.required"
            return None, translate(lang, key, label=label)
        return None, ""
    if _is_number(s.get("minItems")) and len(typed) < s["minItems"]:
        return None, translate(lang, "citizen.form.min_items", label=label, n=int(s["minItems"]))
    if _is_number(s.get("maxItems")) and len(typed) > s["maxItems"]:
        return None, translate(lang, "citizen.form.max_items", label=label, n=int(s["maxItems"]))
    return typed, ""


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
            text = (", " if lang == "en" else "、").join(dict(item.options).get(v, v) for v in value)
        else:
            text = dict(item.options).get(value, value)
        rows.append((item.label, text))
    known = {item.key.split(".")[0] for item in fields}
    rows += [(key, str(value)) for key, value in data.items() if key not in known]
    return rows


# -- the applicant


def may_apply_for_legal_person(user: Mapping[str, Any]) -> bool:
    """Legal-person agents (法人经办人) may apply for the company they act for."""
    return "legal_person_agent" in (user.get("roles") or [])


def parse_applicant(lang: str, posted: Posted, *, agent: bool) -> Applicant:
    """The applicant JSON of SubmitCase from the posted `applicant.*` inputs, checked at the edge."""
    result = Applicant()
    names = (
        "kind",
        "name",
        "id_number",
        "contact_mobile",
        "credit_code",
        "org_name",
        "org_type",
        "contact_name",
    )
    for name in names:
        result.values[f"applicant.{name}"] = _text(posted, f"applicant.{name}")
    v = result.values
    result.legal = agent and v["applicant.kind"] == "legal"
    mobile = v["applicant.contact_mobile"]
    if mobile and not MOBILE.match(mobile):
        result.errors["applicant.contact_mobile"] = translate(lang, "citizen.applicant.bad_mobile")
    if result.legal:
        org_type = v["applicant.org_type"] if v["applicant.org_type"] in LEGAL_KINDS else "2"
        result.data = {
            "applicant_type": int(org_type),
            "name": v["applicant.org_name"],
            "id_type": "001",
            "credit_code": _code(lang, v["applicant.credit_code"].upper(), result, "applicant.credit_code"),
            "contact_name": v["applicant.contact_name"],
            "contact_mobile": mobile,
        }
        if not v["applicant.org_name"]:
            result.errors["applicant.org_name"] = translate(lang, "citizen.applicant.need_org_name")
    else:
        result.data = {
            "applicant_type": 1,
            "name": v["applicant.name"],
            "id_type": "111",
            "id_number": _code(lang, v["applicant.id_number"].upper(), result, "applicant.id_number"),
            "contact_mobile": mobile,
        }
        if not v["applicant.name"]:
            result.errors["applicant.name"] = translate(lang, "citizen.applicant.need_name")
    return result


def _code(lang: str, text: str, result: Applicant, name: str) -> str:
    """An ID number or credit code checked by the platform's shared rules (check character included)."""
    if not text:
        key = (
            "citizen.applicant.need_credit_code"
            if name.endswith("credit_code")
            else "citizen.applicant.need_id"
        )
        result.errors[name] = translate(lang, key)
        return ""
    try:
        if name.endswith("credit_code"):
            return validate_credit_code(text, name)
        return validate_id_number(text, name)
    except InvalidArgument as exc:
        result.errors[name] = (exc.message_en or exc.message) if lang == "en" else exc.message
        return text


def applicant_choices(lang: str) -> list[tuple[str, str]]:
    """(code, text) of the legal-person applicant types."""
    return [(code, labels.applicant_type(lang, code)) for code in LEGAL_KINDS]


# -- materials


def material_slots(materials: list[Mapping[str, Any]]) -> list[MaterialSlot]:
    """The materials the applicant uploads, numbered by their place in the guide."""
    return [
        MaterialSlot(index, m)
        for index, m in enumerate(materials)
        if labels.short_code("material_source", m.get("source")) != "GOVERNMENT"
    ]


def kept_files(posted: Posted, slot: MaterialSlot) -> list[KeptFile]:
    """Files uploaded for the slot in an earlier attempt (unless the user chose to remove them)."""
    if _text(posted, f"{slot.name}.remove"):
        return []
    kept = []
    for token in _all(posted, f"{slot.name}.kept"):
        file_id, _, file_name = token.partition("/")
        if re.fullmatch(r"[0-9a-fA-F-]{8,64}", file_id):
            kept.append(KeptFile(file_id, file_name[:255]))
    return kept


def chosen_uploads(posted: Posted, slot: MaterialSlot) -> list[Any]:
    """The files chosen in the slot's file input (UploadFile objects), empty inputs left out."""
    value = posted.get(slot.name)
    values = value if isinstance(value, list) else [value]
    return [v for v in values if v is not None and not isinstance(v, str) and getattr(v, "filename", "")]


def material_submissions(
    slots: list[MaterialSlot], files: Mapping[int, list[KeptFile]]
) -> list[dict[str, Any]]:
    """MaterialSubmission JSON: the file ids per material name."""
    return [
        {"material_name": slot.title, "file_ids": [f.file_id for f in files[slot.index]]}
        for slot in slots
        if files.get(slot.index)
    ]


# -- the gateway's field messages


def map_gateway_fields(fields: Mapping[str, str], slots: list[MaterialSlot], *, legal: bool) -> Errors:
    """The gateway's field messages keyed by this form's input names ("_form" for the rest)."""
    by_name = {slot.title: slot.name for slot in slots}
    errors: Errors = {}
    for key, message in fields.items():
        if key.startswith("form_data."):
            name = FORM_PREFIX + key.removeprefix("form_data.")
        elif key == "applicant.name" and legal:
            name = "applicant.org_name"
        elif key.startswith("applicant."):
            name = key
        elif key.startswith("materials."):
            name = by_name.get(key.removeprefix("materials."), "_form")
        else:
            name = "_form"
        if name == "_form" and "_form" in errors:
            errors[name] += " " + message
        else:
            errors.setdefault(name, message)
    return errors
