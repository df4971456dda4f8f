"""The application form's posted values → the JSON SubmitCase wants (checked at the edge), and back.

Posted names: `form.<key>` (schema fields, nested keys dotted; see form_schema), `applicant.<field>`,
`material.<n>` (file inputs) with `material.<n>.kept` ("<file id>/<file name>" of files already uploaded).
Every parse returns (data, errors, values): `values` holds what the user typed, for re-filling.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ywtb.common import tenancy
from ywtb.common.codes import validate_credit_code, validate_id_number
from ywtb.common.errors import InvalidArgument
from ywtb.portal import labels
from ywtb.portal.form_schema import FORM_PREFIX, FormField, MaterialSlot, enum_values, is_number, number_text
from ywtb.portal.i18n import translate
from ywtb.portal.roles import has_role

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # intake's default limit, checked again by the service
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^1\d{10}$")
LEGAL_KINDS = ("2", "3", "4", "5", "6", "9")

Posted = Mapping[str, Any]
Errors = dict[str, str]


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
        if is_number(s.get(bound)) and broken(s[bound]):
            return translate(lang, key, label=label, n=number_text(s[bound]))
    return ""


def _check_string(lang: str, item: FormField, text: str) -> tuple[Any, str]:
    """(JSON value, message) of one string input."""
    s, label = item.schema, item.label
    if is_number(s.get("minLength")) and len(text) < s["minLength"]:
        return text, translate(lang, "citizen.form.min_length", label=label, n=int(s["minLength"]))
    if is_number(s.get("maxLength")) and len(text) > s["maxLength"]:
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
        if item.required or is_number(s.get("minItems")) and s["minItems"] > 0:
            key = "citizen.form.choose" if item.kind == "checkboxes" else "citizen.form.required"
            return None, translate(lang, key, label=label)
        return None, ""
    if is_number(s.get("minItems")) and len(typed) < s["minItems"]:
        return None, translate(lang, "citizen.form.min_items", label=label, n=int(s["minItems"]))
    if is_number(s.get("maxItems")) and len(typed) > s["maxItems"]:
        return None, translate(lang, "citizen.form.max_items", label=label, n=int(s["maxItems"]))
    return typed, ""


# -- the applicant


def may_apply_for_legal_person(user: Mapping[str, Any]) -> bool:
    """Legal-person agents (法人经办人) may apply for the company they act for."""
    return has_role(user, {tenancy.LEGAL_PERSON_AGENT})


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
    return [(code, labels.label(lang, "applicant_type", code)) for code in LEGAL_KINDS]


# -- materials


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
    return [
        v for v in values if v is not None and not isinstance(v, str) and bool(getattr(v, "filename", ""))
    ]


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
