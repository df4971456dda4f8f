"""The guide elements (办事指南要素) of an implementation item, as one validated document.

Shape only: types, enumerations and ranges. Whether a guide is complete and consistent is
decided by ywtb.catalog.rules, on submit and publish; drafts may be incomplete.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ywtb.common.errors import InvalidArgument

TimeUnit = Literal["workday", "natural_day"]
CaseType = Literal["instant", "promised"]
ServiceObject = Literal["natural_person", "legal_person"]
ResultType = Literal["licence", "approval_document", "other"]
MaterialKind = Literal["original", "copy", "electronic"]
MaterialSource = Literal["applicant", "government"]
ChargePoint = Literal["after_acceptance", "after_approval"]
MAX_FEE_FEN = 100_000_000_00  # one hundred million yuan

DEFAULT_PROCESS = {"instant": "instant-default", "promised": "promised-default"}
BUNDLE_PROCESS = "joint-default"


class _Element(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeLimit(_Element):
    value: int = Field(default=0, ge=0, le=3650)
    unit: TimeUnit = "workday"


class Fee(_Element):
    name: str = ""
    standard: str = ""
    basis: str = ""
    charged: bool = True
    reductions: str = ""
    amount_fen: int = Field(default=0, ge=0, le=MAX_FEE_FEN)  # one unit at the standard, in fen


class Result(_Element):
    name: str = ""
    type: ResultType = "other"
    licence_type: str = ""
    sample: str = ""


class Faq(_Element):
    q: str = ""
    a: str = ""


class Material(_Element):
    name: str = ""
    required: bool = True
    may_be_missing: bool = False
    kind: MaterialKind = "original"
    source: MaterialSource = "applicant"
    licence_type: str = ""
    copies: int = Field(default=1, ge=0, le=100)
    blank_form: str = ""
    sample: str = ""
    standard: str = ""


class Guide(_Element):
    """Every guide element of DOMAIN.md §1; field names are the wire (proto and YAML) names."""

    name: str = ""
    conditions: str = ""
    legal_basis: str = ""
    legal_limit: TimeLimit = Field(default_factory=TimeLimit)
    promised_limit: TimeLimit = Field(default_factory=TimeLimit)
    case_type: CaseType = "promised"
    visits: int = Field(default=1, ge=0, le=10)
    online_depth: int = Field(default=0, ge=0, le=7)  # 0 = not filled in yet
    min_real_name_level: int = Field(default=0, ge=0, le=5)  # 0 = any; else 2..5 (DOMAIN.md §8)
    fees: list[Fee] = Field(default_factory=list)
    place: str = ""
    hours: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    service_objects: list[ServiceObject] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    result: Result = Field(default_factory=Result)
    faqs: list[Faq] = Field(default_factory=list)
    appointment: bool = False
    express_delivery: bool = False
    online_payment: bool = False
    process: str = ""
    materials: list[Material] = Field(default_factory=list)
    no_materials: bool = False
    form_schema: dict[str, Any] = Field(default_factory=dict)
    flow: str = ""
    special_procedures: str = ""
    charge_point: ChargePoint = "after_approval"
    pay_before_licence: bool = False  # 缴费后发证


def _field_path(loc: tuple[Any, ...]) -> str:
    return "guide." + ".".join(str(part) for part in loc)


def parse_guide(raw: dict[str, Any] | None) -> Guide:
    """The guide from a mapping; InvalidArgument naming every malformed element otherwise."""
    try:
        return Guide.model_validate(raw or {})
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            path = _field_path(error["loc"])
            if error["type"] == "extra_forbidden":
                fields[path] = "办事指南中没有这一项，请删除或核对名称。"
            elif error["type"] == "literal_error":
                fields[path] = f"取值不在允许范围内，请从以下选项中选择：{error['ctx']['expected']}。"
            else:
                fields[path] = "填写格式不正确，请按办事指南要素的要求填写。"
        raise InvalidArgument(
            "办事指南有填写格式错误，请按提示修改后再保存。",
            code="INVALID_GUIDE",
            message_en="malformed guide",
            fields=fields,
        ) from exc


def guide_dict(guide: Guide) -> dict[str, Any]:
    """The stored (JSON) form of a guide."""
    return guide.model_dump(mode="json")


def process_of(guide: Guide) -> str:
    """The approval process name: the one set in the guide, else the default of its case type."""
    return guide.process or DEFAULT_PROCESS[guide.case_type]
