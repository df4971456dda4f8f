"""Validation rules of a guide (指南校验规则), run on submit (上报) and publish (发布).

Drafts may be incomplete while a department edits; these rules decide whether a guide may go to
review and to citizens. Each rule reports a Chinese message under the guide field it concerns.

Decisions documented here:
- Time limits are compared only in the same unit. Workdays and natural days do not convert
  exactly (holidays, 调休), so a guide that mixes units is refused instead of converted — unless
  the promised limit is 0 (on the spot), which is below any legal limit.
- A material issued by the government (source government) that is a certificate (its name ends in
  证 / 证书 / 执照 / 许可证 / 证件, not 证明) must name its e-licence type: without it intake cannot
  fetch the licence and would ask the applicant for it again (一证通办). This is refused, not warned.
  Other government-sourced materials (证明, 数据) only warn: they may come from data sharing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ywtb.catalog.guide import Guide
from ywtb.common.errors import InvalidArgument

FULLY_ONLINE_DEPTH = 6  # 6 online result feedback, 7 e-licence result: 全程网办
ZERO_VISIT_MIN_DEPTH = 4  # 4 online acceptance: below it the applicant must come to the hall
_QUALIFIERS = re.compile(r"([（(].*?[）)]|副本|正本|原件|复印件|电子件)+$")
_CERTIFICATE = re.compile(r"(证|证书|执照|许可证|证件)$")


@dataclass
class Findings:
    """Errors block submit and publish; warnings are shown but do not block."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def warn(self, path: str, message: str) -> None:
        self.warnings.setdefault(path, message)


def is_certificate(name: str) -> bool:
    """True when a material's name names a certificate (证照), e.g. 营业执照（副本）, 身份证, 不动产权证书."""
    core = _QUALIFIERS.sub("", name.strip())
    return bool(_CERTIFICATE.search(core)) and not core.endswith("证明")


def check_completeness(g: Guide, f: Findings) -> None:
    """The elements a citizen cannot do without."""
    required_texts = {
        "name": (g.name, "请填写事项名称。"),
        "conditions": (g.conditions, "请填写受理条件。"),
        "place": (g.place, "请填写办理地点。"),
        "hours": (g.hours, "请填写办理时间。"),
        "consult_phone": (g.consult_phone, "请填写咨询电话。"),
        "complaint_phone": (g.complaint_phone, "请填写监督投诉电话。"),
    }
    for key, (value, message) in required_texts.items():
        if not value.strip():
            f.error(f"guide.{key}", message)
    if not g.service_objects:
        f.error("guide.service_objects", "请选择服务对象：自然人、法人或两者。")
    if g.legal_limit.value <= 0 and g.case_type == "promised":
        f.error("guide.legal_limit", "承诺件请填写法定办结时限（大于0天）。")
    if g.online_depth < 1:
        f.error("guide.online_depth", "请选择网上办理深度（1咨询 至 7电子证照结果）。")
    if g.min_real_name_level == 1:
        f.error("guide.min_real_name_level", "实名认证等级要求应为不限，或2至5级。")
    if not g.result.name.strip():
        f.error("guide.result.name", "请填写办理结果名称。")


def check_time_limits(g: Guide, f: Findings) -> None:
    """承诺时限 ≤ 法定时限 (same unit); 即办件 ⇒ 承诺时限 0; 承诺件 ⇒ 承诺时限 > 0."""
    promised, legal = g.promised_limit, g.legal_limit
    if g.case_type == "instant":
        if promised.value != 0:
            f.error(
                "guide.promised_limit", "即办件的承诺办结时限应为0（当场办结）；如需时间办理，请选择承诺件。"
            )
        return
    if promised.value <= 0:
        f.error("guide.promised_limit", "承诺件请填写承诺办结时限（大于0天）；当场办结的请选择即办件。")
        return
    if legal.value <= 0:
        return
    if promised.unit != legal.unit:
        f.error(
            "guide.promised_limit",
            "承诺办结时限与法定办结时限应使用相同的计时单位（工作日或自然日），请统一后再提交。",
        )
    elif promised.value > legal.value:
        unit = "个工作日" if legal.unit == "workday" else "个自然日"
        f.error(
            "guide.promised_limit",
            f"承诺办结时限（{promised.value}{unit}）不能超过法定办结时限（{legal.value}{unit}）。",
        )


def check_visits(g: Guide, f: Findings) -> None:
    """全程网办 (depth ≥ 6) ⇒ 零跑动; 零跑动 ⇒ at least online acceptance (depth ≥ 4)."""
    if g.online_depth >= FULLY_ONLINE_DEPTH and g.visits != 0:
        f.error(
            "guide.visits",
            "网上办理深度为全程网办（6级及以上）的事项，到现场次数应为0；请修改到现场次数或办理深度。",
        )
    if g.visits == 0 and g.online_depth < ZERO_VISIT_MIN_DEPTH:
        f.error(
            "guide.online_depth",
            "零跑动事项的网上办理深度应至少为4级（网上受理）；请提高办理深度或修改到现场次数。",
        )


def check_fees(g: Guide, f: Findings) -> None:
    """A charged fee needs a name, a standard and a basis (收费依据), and its amount when paid online; 缴费后发证
    needs a fee paid online."""
    for i, fee in enumerate(g.fees):
        if not fee.charged:
            continue
        if not fee.basis.strip():
            f.error(
                f"guide.fees.{i}.basis", f"收费项目「{fee.name or i + 1}」请填写收费依据（文件名称及文号）。"
            )
        if not fee.name.strip():
            f.error(f"guide.fees.{i}.name", "请填写收费项目名称。")
        if not fee.standard.strip():
            f.error(f"guide.fees.{i}.standard", f"收费项目「{fee.name or i + 1}」请填写收费标准。")
        if g.online_payment and fee.amount_fen <= 0:
            f.error(
                f"guide.fees.{i}.amount_fen",
                f"支持网上缴费的事项，收费项目「{fee.name or i + 1}」请填写收费金额（元，按收费标准的一个计费单位）。",
            )
    if g.pay_before_licence and not (g.online_payment and any(fee.charged for fee in g.fees)):
        f.error(
            "guide.pay_before_licence",
            "缴费后发证的事项须支持网上缴费并至少有一项收费项目；请补充收费项目或取消“缴费后发证”。",
        )


def check_materials(g: Guide, f: Findings) -> None:
    """At least one material or an explicit "no materials"; certificates from government name a licence type."""
    if not g.materials and not g.no_materials:
        f.error("guide.materials", "请填写申请材料；确实无需材料的，请勾选“无需申请材料”。")
    if g.materials and g.no_materials:
        f.error("guide.no_materials", "已填写申请材料，不能同时勾选“无需申请材料”。")
    seen: set[str] = set()
    for i, material in enumerate(g.materials):
        name = material.name.strip()
        if not name:
            f.error(f"guide.materials.{i}.name", "请填写材料名称。")
            continue
        if name in seen:
            f.error(f"guide.materials.{i}.name", f"材料「{name}」重复填写，请合并。")
        seen.add(name)
        if material.may_be_missing and not material.required:
            f.warn(f"guide.materials.{i}.may_be_missing", f"材料「{name}」为非必要材料，无需设置容缺。")
        if material.source == "government" and not material.licence_type.strip():
            if is_certificate(name):
                f.error(
                    f"guide.materials.{i}.licence_type",
                    f"材料「{name}」由政府部门核发，请填写对应的电子证照类型代码，以便直接调用证照、免于申请人提交。",
                )
            else:
                f.warn(
                    f"guide.materials.{i}.licence_type",
                    f"材料「{name}」由政府部门核发，建议关联电子证照或共享数据，免于申请人提交。",
                )


def check_form_schema(g: Guide, f: Findings) -> None:
    """The application form is a JSON Schema object whose required fields are all declared."""
    schema: dict[str, Any] = g.form_schema
    path = "guide.form_schema"
    if not schema:
        f.error(path, "请配置申请表单（JSON Schema 对象）。")
        return
    if schema.get("type") != "object":
        f.error(path, "申请表单应为对象类型（type 为 object）的 JSON Schema。")
        return
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not properties:
        f.error(path, "申请表单应至少包含一个字段（properties）。")
        return
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        f.error(path, "申请表单的必填字段（required）应为字段名列表。")
        return
    missing = [name for name in required if name not in properties]
    if missing:
        f.error(path, f"申请表单的必填字段未在表单中定义：{'、'.join(missing)}。")


def check_result(g: Guide, f: Findings) -> None:
    """A licence result should name its e-licence type so the licence service can issue it."""
    if g.result.type == "licence" and not g.result.licence_type.strip():
        f.warn("guide.result.licence_type", "办理结果为证照的，建议填写电子证照类型代码，以便出证。")


RULES = (
    check_completeness,
    check_time_limits,
    check_visits,
    check_fees,
    check_materials,
    check_form_schema,
    check_result,
)


def evaluate(guide: Guide) -> Findings:
    """Run every rule over the guide."""
    findings = Findings()
    for rule in RULES:
        rule(guide, findings)
    return findings


def require_valid(guide: Guide) -> Findings:
    """Raise InvalidArgument naming every violated rule; return the findings (warnings) otherwise."""
    findings = evaluate(guide)
    if findings.errors:
        raise InvalidArgument(
            f"办事指南有{len(findings.errors)}处需要修改，请按提示修改后再提交。",
            code="GUIDE_RULES_VIOLATED",
            message_en="the guide violates the catalogue rules",
            fields=findings.errors,
        )
    return findings
