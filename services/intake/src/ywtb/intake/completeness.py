"""Completeness check (材料完整性审查) and form validation against the item version."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from ywtb.common.errors import FailedPrecondition, InvalidArgument

GOVERNMENT_SOURCE = 2  # catalog MaterialSource: fetched from e-licences or data sharing, not uploaded


def required_missing(item: dict[str, Any], materials: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Required materials the applicant must provide and has not (in the guide's order)."""
    return [
        m
        for m in item["materials"]
        if m["required"] and m.get("source") != GOVERNMENT_SOURCE and not materials.get(m["name"])
    ]


def missing_deficiencies(item: dict[str, Any], materials: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every missing required material as a deficiency of the notice."""
    return [
        {
            "subject": m["name"],
            "requirement": f"请提交{m['name']}"
            + (f"（{m['standard']}）" if m.get("standard") else "")
            + "。",
        }
        for m in required_missing(item, materials)
    ]


def _label(schema: dict[str, Any], path: list[str | int]) -> str:
    """The field's title from the schema (falls back to its path)."""
    node: Any = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
        else:
            node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    title = node.get("title") if isinstance(node, dict) else None
    return str(title or (path[-1] if path else "表单"))


def _message(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    """(field path, Chinese message) of one jsonschema error."""
    path = [p for p in error.absolute_path]
    if error.validator == "required":
        given = error.instance if isinstance(error.instance, dict) else {}
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = next((name for name in required if name not in given), "")
        field_path = [*path, missing]
        return ".".join(map(str, field_path)), f"请填写{_label(schema, field_path)}。"
    label = _label(schema, path)
    field = ".".join(map(str, path)) or "form_data"
    if error.validator == "type":
        return field, f"{label}格式不正确，请重新填写。"
    if error.validator in ("minLength", "minItems") and error.validator_value == 1:
        return field, f"请填写{label}。"
    if error.validator == "enum":
        return field, f"{label}的取值不正确，请从选项中选择。"
    if error.validator in ("maxLength", "maxItems"):
        return field, f"{label}格式不正确：不能超过{error.validator_value}个字符。"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return field, f"{label}格式不正确：数值超出允许范围。"
    if error.validator == "additionalProperties":
        return field, "表单包含不认识的字段，请刷新页面后重新填写。"
    return field, f"{label}格式不正确，请按填写说明修改。"


def validate_form(schema: dict[str, Any], data: dict[str, Any]) -> None:
    """Raise InvalidArgument with a Chinese message per field when the form does not fit the schema."""
    if not schema:
        return
    try:
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    except SchemaError as exc:  # the catalogue should never publish this; say so plainly
        raise FailedPrecondition(
            "该事项的申请表配置有误，暂时无法申报，请联系事项所属部门。",
            message_en=f"bad form schema: {exc.message}",
        ) from exc
    fields: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        field, message = _message(error, schema)
        fields.setdefault(f"form_data.{field}" if field != "form_data" else field, message)
    if fields:
        raise InvalidArgument(
            "申请表填写有误，请按提示修改后重新提交。",
            code="FORM_INVALID",
            message_en="form data does not match the item's form schema",
            fields=fields,
        )
