"""The guide edit form ↔ Guide JSON: round trip, rows, fees, the form schema, messages, values kept."""

from __future__ import annotations

import copy
import json
from functools import partial
from typing import Any

from google.protobuf import json_format

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.catalog import convert, rules
from ywtb.catalog.guide import parse_guide
from ywtb.portal.guide_form import (
    form_to_guide,
    guide_to_form,
    normalise,
    row_count,
    service_errors,
    with_blank_rows,
)
from ywtb.portal.i18n import translate

t = partial(translate, "zh")

# A complete guide as the gateway returns it (enum names, Struct numbers as floats).
GUIDE: dict[str, Any] = {
    "name": "重要工业产品生产许可证核发",
    "conditions": "具有营业执照；有与所生产产品相适应的专业技术人员。",
    "legal_basis": "《中华人民共和国工业产品生产许可证管理条例》",
    "legal_limit": {"value": 20, "unit": "TIME_UNIT_WORKDAY"},
    "promised_limit": {"value": 10, "unit": "TIME_UNIT_WORKDAY"},
    "case_type": "CASE_TYPE_PROMISED",
    "visits": 0,
    "online_depth": 6,
    "min_real_name_level": 3,
    "fees": [
        {
            "name": "检验费",
            "standard": "按检验项目收取",
            "basis": "川发改价格〔2020〕1号",
            "charged": True,
            "reductions": "",
        },
        {"name": "审查费", "standard": "", "basis": "", "charged": False, "reductions": "小微企业免收"},
    ],
    "place": "锦江区政务服务中心二楼 8号窗口",
    "hours": "工作日 9:00-17:00",
    "consult_phone": "028-86600101",
    "complaint_phone": "12345",
    "service_objects": ["SERVICE_OBJECT_LEGAL_PERSON"],
    "themes": ["准营准办", "开办企业"],
    "result": {
        "name": "生产许可证",
        "type": "RESULT_TYPE_LICENCE",
        "licence_type": "工业产品生产许可证",
        "sample": "",
    },
    "faqs": [{"q": "需要多久？", "a": "10个工作日。"}],
    "appointment": True,
    "express_delivery": True,
    "online_payment": False,
    "process": "",
    "materials": [
        {
            "name": "生产许可申请书",
            "required": True,
            "may_be_missing": False,
            "kind": "MATERIAL_KIND_ORIGINAL",
            "source": "MATERIAL_SOURCE_APPLICANT",
            "licence_type": "",
            "copies": 1,
            "blank_form": "申请书.docx",
            "sample": "",
            "standard": "加盖公章",
        },
        {
            "name": "营业执照",
            "required": True,
            "may_be_missing": False,
            "kind": "MATERIAL_KIND_ELECTRONIC",
            "source": "MATERIAL_SOURCE_GOVERNMENT",
            "licence_type": "营业执照",
            "copies": 0,
            "blank_form": "",
            "sample": "",
            "standard": "",
        },
    ],
    "no_materials": False,
    "form_schema": {
        "type": "object",
        "required": ["company"],
        "properties": {"company": {"type": "string", "title": "企业名称", "maxLength": 100.0}},
    },
    "flow": "申请 → 受理 → 审查 → 决定",
    "special_procedures": "现场核查（不计入时限）",
}


def posted(values: dict[str, Any]) -> dict[str, Any]:
    """What a browser posts for these form values: unchecked boxes are not sent, plus the token."""
    form = {k: v for k, v in values.items() if v not in ("", [], None) or not _is_check(k)}
    return {"csrf": "x", "_action": "save", **form}


def _is_check(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    flags = {"appointment", "express_delivery", "online_payment", "no_materials", "charged", "required"}
    return last in flags | {"may_be_missing", "delete"}


def expected(guide: dict[str, Any]) -> dict[str, Any]:
    """The guide the form sends back: the same elements, schema numbers as integers."""
    result = copy.deepcopy(guide)
    result["form_schema"]["properties"]["company"]["maxLength"] = 100
    return result


def test_round_trip_keeps_every_element() -> None:
    values = guide_to_form(GUIDE, "工业产品 生产许可")
    assert values["legal_limit.value"] == "20" and values["legal_limit.unit"] == "TIME_UNIT_WORKDAY"
    assert values["themes"] == "准营准办、开办企业"
    assert values["materials.1.licence_type"] == "营业执照"
    assert '"maxLength": 100' in values["form_schema"]
    guide, keywords, errors = form_to_guide(normalise(posted(values)), t)
    assert errors == {}
    assert keywords == "工业产品 生产许可"
    assert guide == expected(GUIDE)


def test_the_gateway_and_the_catalogue_accept_the_guide() -> None:
    guide, _, _ = form_to_guide(normalise(posted(guide_to_form(GUIDE))), t)
    # the gateway parses the body into the proto, the service validates its document
    message = json_format.ParseDict(guide, catalog_pb2.Guide())
    parsed = parse_guide(convert.guide_document(message))
    assert parsed.promised_limit.value == 10 and parsed.materials[1].source == "government"
    assert parsed.fees[1].charged is False
    assert rules.evaluate(parsed).errors == {}


def test_blank_and_deleted_rows_are_dropped_and_the_rest_renumbered() -> None:
    values = guide_to_form(GUIDE)
    shown, rows = with_blank_rows(values, add="materials")
    assert rows == {"fees": 3, "faqs": 2, "materials": 2 + 2 + 3}
    # a new blank row carries the defaults of a new material
    assert shown["materials.2.required"] == "1" and shown["materials.2.copies"] == "1"
    form = posted(shown)
    form["materials.0.delete"] = "1"
    form["materials.5.name"] = "委托书"
    form["materials.5.standard"] = "委托他人办理时提交"
    values = normalise(form)
    assert row_count(values, "materials") == 2
    assert values["materials.0.name"] == "营业执照"
    assert values["materials.1.name"] == "委托书" and values["materials.1.required"] == "1"
    guide, _, errors = form_to_guide(values, t)
    assert errors == {}
    assert [m["name"] for m in guide["materials"]] == ["营业执照", "委托书"]
    assert guide["materials"][1]["kind"] == "MATERIAL_KIND_ORIGINAL"


def test_a_row_with_text_but_no_name_is_kept_for_the_service_to_name() -> None:
    shown, _ = with_blank_rows(guide_to_form({**GUIDE, "materials": []}))
    form = posted(shown)
    form["materials.1.standard"] = "原件"
    guide, _, errors = form_to_guide(normalise(form), t)
    assert errors == {}
    assert [(m["name"], m["standard"]) for m in guide["materials"]] == [("", "原件")]


def test_fees_charged_flag_and_free_items() -> None:
    values = guide_to_form({**GUIDE, "fees": []})
    shown, rows = with_blank_rows(values)
    assert rows["fees"] == 1 and shown["fees.0.charged"] == "1"
    form = posted(shown)
    form.update({"fees.0.name": "工本费", "fees.0.standard": "10元/本"})
    guide, _, errors = form_to_guide(normalise(form), t)
    assert errors == {}
    assert guide["fees"] == [
        {"name": "工本费", "standard": "10元/本", "basis": "", "reductions": "", "charged": True}
    ]
    # a blank fee row is no fee: the item is free of charge
    guide, _, _ = form_to_guide(normalise(posted(shown)), t)
    assert guide["fees"] == []


def test_bad_json_schema_gives_a_chinese_message_and_keeps_the_text() -> None:
    form = posted(guide_to_form(GUIDE))
    form["form_schema"] = '{"type": "object",\n "properties": {"a": {"type": "string"}\n'
    values = normalise(form)
    guide, _, errors = form_to_guide(values, t)
    assert errors["form_schema"].startswith("申请表单不是有效的 JSON：第3行")
    assert values["form_schema"] == form["form_schema"]
    form["form_schema"] = '["not", "an", "object"]'
    _, _, errors = form_to_guide(normalise(form), t)
    assert errors["form_schema"] == "申请表单应为 JSON 对象（以 { 开头、以 } 结尾）。"
    form["form_schema"] = "  "
    guide, _, errors = form_to_guide(normalise(form), t)
    assert "form_schema" not in errors and guide["form_schema"] == {}


def test_format_errors_keep_what_was_typed() -> None:
    form = posted(guide_to_form(GUIDE))
    form.update({"legal_limit.value": "二十", "visits": "11", "materials.1.copies": "-1", "case_type": "X"})
    values = normalise(form)
    _, _, errors = form_to_guide(values, t)
    assert errors == {
        "legal_limit.value": "请填写0至3650之间的整数。",
        "visits": "请填写0至10之间的整数。",
        "materials.1.copies": "请填写0至100之间的整数。",
        "case_type": "请从列表中选择。",
    }
    assert values["legal_limit.value"] == "二十" and values["materials.1.copies"] == "-1"
    assert values["conditions"] == GUIDE["conditions"] and values["service_objects"] == [
        "SERVICE_OBJECT_LEGAL_PERSON"
    ]


def test_english_messages() -> None:
    form = posted(guide_to_form(GUIDE))
    form["form_schema"] = "{"
    _, _, errors = form_to_guide(normalise(form), partial(translate, "en"))
    assert errors["form_schema"].startswith("The application form is not valid JSON")


def test_a_single_service_object_posts_as_a_string() -> None:
    form = posted(guide_to_form(GUIDE))
    form["service_objects"] = "SERVICE_OBJECT_NATURAL_PERSON"
    guide, _, _ = form_to_guide(normalise(form), t)
    assert guide["service_objects"] == ["SERVICE_OBJECT_NATURAL_PERSON"]
    form["service_objects"] = ["SERVICE_OBJECT_LEGAL_PERSON", "SERVICE_OBJECT_NATURAL_PERSON"]
    guide, _, _ = form_to_guide(normalise(form), t)
    assert guide["service_objects"] == ["SERVICE_OBJECT_NATURAL_PERSON", "SERVICE_OBJECT_LEGAL_PERSON"]


def test_a_new_draft_shows_the_defaults() -> None:
    draft = {"name": "特殊建设工程消防设计审查", "legal_limit": {"value": 0, "unit": "TIME_UNIT_UNSPECIFIED"}}
    values = guide_to_form(draft)
    assert values["case_type"] == "CASE_TYPE_PROMISED" and values["visits"] == "1"
    assert values["legal_limit.unit"] == "TIME_UNIT_WORKDAY" and values["online_depth"] == "0"
    assert values["form_schema"] == "" and row_count(values, "materials") == 0


def test_service_messages_land_on_the_form_fields() -> None:
    fields = {
        "guide.promised_limit": "承诺办结时限（30个工作日）不能超过法定办结时限（20个工作日）。",
        "guide.result.name": "请填写办理结果名称。",
        "guide.materials.1.licence_type": "请填写电子证照类型代码",
        "guide.materials": "请填写申请材料",
        "guide": "提交的数据格式不正确",
    }
    assert service_errors(fields) == {
        "promised_limit.value": fields["guide.promised_limit"],
        "result.name": fields["guide.result.name"],
        "materials.1.licence_type": fields["guide.materials.1.licence_type"],
        "materials": fields["guide.materials"],
        "_form": fields["guide"],
    }


def test_schema_text_is_pretty_json() -> None:
    values = guide_to_form(GUIDE)
    assert json.loads(values["form_schema"]) == expected(GUIDE)["form_schema"]
    assert values["form_schema"].count("\n") > 3
