"""The application form: schema → fields, posted values → form_data, every message, nothing the user typed lost."""

from __future__ import annotations

import pytest

from ywtb.common.pii import id_check_char
from ywtb.portal import application_form as af
from ywtb.portal import form_schema as fs

ID_NUMBER = "51010419900307123" + id_check_char("51010419900307123")
SCHEMA = {
    "type": "object",
    "required": ["operator_name", "capital", "kind", "opened_on"],
    "properties": {
        "mobile": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
        "operator_name": {"type": "string", "title": "经营者姓名", "maxLength": 5.0, "minLength": 2},
        "capital": {"type": "number", "title": "资金数额", "minimum": 0.0, "maximum": 100},
        "employees": {"type": "integer", "title": "从业人数", "exclusiveMinimum": 0},
        "kind": {"type": "string", "title": "类型", "enum": ["个体", "家庭"]},
        "opened_on": {
            "type": "string",
            "title": "开业日期",
            "format": "date",
            "description": "营业执照上的日期",
        },
        "email": {"type": "string", "title": "邮箱", "format": "email"},
        "agree": {"type": "boolean", "title": "我承诺所填信息真实", "const": True},
        "scope": {"type": "string", "title": "经营范围", "maxLength": 500},
        "tags": {"type": "array", "title": "经营方式", "items": {"enum": ["批发", "零售"]}, "maxItems": 1},
        "names": {"type": "array", "title": "从业人员", "items": {"type": "string"}},
        "address": {
            "type": "object",
            "title": "地址",
            "required": ["street"],
            "properties": {"street": {"type": "string", "title": "街道"}},
        },
    },
}
VALID = {
    "form.operator_name": "张三",
    "form.capital": "5",
    "form.kind": "个体",
    "form.opened_on": "2026-01-31",
    "form.agree": "true",
    "form.address.street": "红星路",
}


def fields() -> list[fs.FormField]:
    return fs.schema_fields(SCHEMA)


def parse(**changes: object) -> tuple[dict, dict, dict]:
    posted = {**VALID, **changes}
    return af.parse_form("zh", fields(), {k: v for k, v in posted.items() if v is not None})


def by_key() -> dict[str, fs.FormField]:
    return {f.key: f for f in fields()}


def test_fields_come_in_the_order_required_first_and_get_the_right_input_kinds() -> None:
    keys = [f.key for f in fields()]
    assert keys[:4] == ["operator_name", "capital", "kind", "opened_on"]
    kinds = {f.key: f.kind for f in fields()}
    assert kinds == {
        "operator_name": "text",
        "capital": "number",
        "kind": "select",
        "opened_on": "date",
        "mobile": "text",
        "employees": "integer",
        "email": "email",
        "agree": "boolean",
        "scope": "textarea",
        "tags": "checkboxes",
        "names": "lines",
        "address.street": "text",
    }
    f = by_key()
    assert f["operator_name"].label == "经营者姓名" and f["operator_name"].required
    assert f["address.street"].name == "form.address.street" and not f["mobile"].required
    assert f["kind"].options == (("个体", "个体"), ("家庭", "家庭"))
    assert f["capital"].attrs() == {"step": "any", "inputmode": "decimal", "min": "0", "max": "100"}
    assert f["operator_name"].attrs() == {"maxlength": "5"}


def test_explicit_order_and_enum_names_are_honoured() -> None:
    schema = {
        "type": "object",
        "x-order": ["b", "a"],
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "enum": [1, 2], "x-enumNames": ["一", "二"]},
        },
    }
    got = fs.schema_fields(schema)
    assert [f.key for f in got] == ["b", "a"] and got[0].options == (("1", "一"), ("2", "二"))
    assert got[1].label == "a"  # no title: the key


def test_no_schema_means_no_fields() -> None:
    assert fs.schema_fields(None) == [] and fs.schema_fields({}) == []


def test_hints_say_the_description_and_the_limits() -> None:
    f = by_key()
    assert fs.field_hint("zh", f["capital"]) == "取值范围 0 ~ 100"
    assert fs.field_hint("zh", f["opened_on"]) == "营业执照上的日期；格式：年-月-日"
    assert fs.field_hint("zh", f["operator_name"]) == "不超过5个字"
    assert fs.field_hint("en", f["capital"]) == "between 0 and 100"


def test_valid_values_become_typed_form_data() -> None:
    data, errors, values = parse(
        **{
            "form.employees": "3",
            "form.mobile": "13800000001",
            "form.email": "a@b.cn",
            "form.tags": "零售",
            "form.names": "甲\n\n乙 ",
            "form.scope": "  百货  ",
        }
    )
    assert errors == {}
    assert data == {
        "operator_name": "张三",
        "capital": 5,
        "kind": "个体",
        "opened_on": "2026-01-31",
        "agree": True,
        "address": {"street": "红星路"},
        "employees": 3,
        "mobile": "13800000001",
        "email": "a@b.cn",
        "tags": ["零售"],
        "names": ["甲", "乙"],
        "scope": "百货",
    }
    assert values["form.capital"] == "5" and values["form.agree"] is True and values["form.tags"] == ["零售"]


def test_decimal_numbers_stay_decimal_and_empty_optional_fields_are_left_out() -> None:
    data, errors, _ = parse(**{"form.capital": "2.5", "form.employees": "", "form.mobile": "  "})
    assert errors == {} and data["capital"] == 2.5
    assert "employees" not in data and "mobile" not in data


@pytest.mark.parametrize(
    ("changes", "name", "message"),
    [
        ({"form.operator_name": ""}, "form.operator_name", "请填写经营者姓名。"),
        ({"form.kind": ""}, "form.kind", "请选择类型。"),
        ({"form.kind": "公司"}, "form.kind", "类型的取值不正确，请从选项中选择。"),
        ({"form.capital": "五万"}, "form.capital", "资金数额应为数字，请重新填写。"),
        ({"form.capital": "-1"}, "form.capital", "资金数额不能小于0。"),
        ({"form.capital": "101"}, "form.capital", "资金数额不能大于100。"),
        ({"form.employees": "1.5"}, "form.employees", "从业人数应为整数，请重新填写。"),
        ({"form.employees": "0"}, "form.employees", "从业人数应大于0。"),
        ({"form.operator_name": "张"}, "form.operator_name", "经营者姓名不能少于2个字。"),
        (
            {"form.operator_name": "张三李四王五"},
            "form.operator_name",
            "经营者姓名不能超过5个字，请精简后重新填写。",
        ),
        ({"form.mobile": "12345"}, "form.mobile", "联系电话格式不正确，请核对后重新填写。"),
        (
            {"form.opened_on": "2026-02-30"},
            "form.opened_on",
            "开业日期应为有效日期（如 2026-01-31），请重新选择。",
        ),
        ({"form.email": "nobody"}, "form.email", "邮箱应为有效的电子邮箱地址，请核对后重新填写。"),
        ({"form.agree": None}, "form.agree", "请阅读并勾选“我承诺所填信息真实”。"),
        ({"form.tags": ["批发", "零售"]}, "form.tags", "经营方式最多填写1项。"),
        ({"form.tags": "租赁"}, "form.tags", "经营方式的取值不正确，请从选项中选择。"),
        ({"form.address.street": ""}, "form.address.street", "请填写街道。"),
    ],
)
def test_each_rule_has_its_chinese_message_and_the_other_values_are_kept(
    changes: dict, name: str, message: str
) -> None:
    data, errors, values = parse(**changes)
    assert errors == {name: message}
    for other, typed in VALID.items():
        if other != name and other not in changes:
            assert values[other] == (True if other == "form.agree" else typed)
    for key, typed in changes.items():
        if typed is not None and key.startswith("form.") and key != "form.tags":
            assert values[key] == typed  # exactly what was typed, even when wrong


def test_a_pattern_message_quotes_the_description_when_there_is_one() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "title": "编码", "pattern": "^A", "description": "以A开头"}
        },
    }
    _, errors, _ = af.parse_form("zh", fs.schema_fields(schema), {"form.code": "B1"})
    assert errors == {"form.code": "编码格式不正确：以A开头"}


def test_messages_follow_the_language() -> None:
    _, errors, _ = parse(**{"form.operator_name": ""})
    _, errors_en, _ = af.parse_form("en", fields(), {**VALID, "form.operator_name": ""})
    assert errors["form.operator_name"] == "请填写经营者姓名。"
    assert errors_en["form.operator_name"] == "Enter 经营者姓名."


def test_every_missing_required_field_is_reported_at_once() -> None:
    _, errors, values = af.parse_form("zh", fields(), {})
    assert set(errors) == {
        "form.operator_name",
        "form.capital",
        "form.kind",
        "form.opened_on",
        "form.agree",
        "form.address.street",
    }
    assert values["form.operator_name"] == ""


def test_date_times_get_china_time() -> None:
    schema = {
        "type": "object",
        "properties": {"at": {"type": "string", "format": "date-time", "title": "时间"}},
    }
    data, errors, _ = af.parse_form("zh", fs.schema_fields(schema), {"form.at": "2026-01-31T09:30"})
    assert errors == {} and data == {"at": "2026-01-31T09:30:00+08:00"}
    _, errors, _ = af.parse_form("zh", fs.schema_fields(schema), {"form.at": "明天"})
    assert errors == {"form.at": "时间应为有效的日期和时间，请重新选择。"}


def test_saved_form_data_fills_the_inputs_again() -> None:
    data = {
        "operator_name": "张三",
        "capital": 5.0,
        "agree": True,
        "tags": ["零售"],
        "names": ["甲", "乙"],
        "address": {"street": "红星路"},
    }
    values = fs.form_values(fields(), data)
    assert values == {
        "form.operator_name": "张三",
        "form.capital": "5",
        "form.agree": True,
        "form.tags": ["零售"],
        "form.names": "甲\n乙",
        "form.address.street": "红星路",
    }
    rows = fs.form_rows("zh", fields(), {**data, "extra": 1})
    assert (
        rows[0] == ("经营者姓名", "张三")
        and ("我承诺所填信息真实", "是") in rows
        and rows[-1] == ("extra", "1")
    )


# -- applicant


def test_a_natural_person_applicant_is_checked_with_the_platform_rules() -> None:
    got = af.parse_applicant(
        "zh",
        {
            "applicant.name": "张三",
            "applicant.id_number": ID_NUMBER.lower(),
            "applicant.contact_mobile": "13800000001",
        },
        agent=False,
    )
    assert got.errors == {} and not got.legal
    assert got.data == {
        "applicant_type": 1,
        "name": "张三",
        "id_type": "111",
        "id_number": ID_NUMBER,
        "contact_mobile": "13800000001",
    }


def test_applicant_messages_and_typed_values_kept() -> None:
    posted = {
        "applicant.name": "",
        "applicant.id_number": "51010419900307123X",
        "applicant.contact_mobile": "123",
    }
    got = af.parse_applicant("zh", posted, agent=False)
    assert got.errors["applicant.name"] == "请填写申请人姓名。"
    assert got.errors["applicant.contact_mobile"] == "联系电话应为11位手机号码，请核对后重新填写。"
    assert "身份证" in got.errors["applicant.id_number"]
    assert (
        got.values["applicant.id_number"] == "51010419900307123X"
        and got.values["applicant.contact_mobile"] == "123"
    )
    assert af.parse_applicant("zh", {"applicant.name": "张三"}, agent=False).errors == {
        "applicant.id_number": "请填写申请人身份证号码。"
    }


def test_only_an_agent_applies_for_a_legal_person() -> None:
    posted = {
        "applicant.kind": "legal",
        "applicant.org_name": "成都锦江示例商贸有限公司",
        "applicant.credit_code": "91510104ma6c2b3d5c",
        "applicant.org_type": "2",
        "applicant.contact_name": "张三",
        "applicant.name": "张三",
        "applicant.id_number": ID_NUMBER,
    }
    legal = af.parse_applicant("zh", posted, agent=True)
    assert legal.legal and legal.errors == {}
    assert legal.data == {
        "applicant_type": 2,
        "name": "成都锦江示例商贸有限公司",
        "id_type": "001",
        "credit_code": "91510104MA6C2B3D5C",
        "contact_name": "张三",
        "contact_mobile": "",
    }
    assert not af.parse_applicant("zh", posted, agent=False).legal  # a plain citizen applies as themself
    bad = af.parse_applicant(
        "zh", {**posted, "applicant.credit_code": "123", "applicant.org_name": ""}, agent=True
    )
    assert (
        "18位" in bad.errors["applicant.credit_code"]
        and bad.errors["applicant.org_name"] == "请填写单位名称。"
    )
    assert af.may_apply_for_legal_person({"roles": ["citizen", "legal_person_agent"]})
    assert not af.may_apply_for_legal_person({"roles": ["citizen"]})


# -- materials


class Upload:
    def __init__(self, filename: str) -> None:
        self.filename = filename


MATERIALS = [
    {"name": "申请书", "required": True, "source": "MATERIAL_SOURCE_APPLICANT"},
    {"name": "身份证明", "required": True, "source": "MATERIAL_SOURCE_GOVERNMENT"},
    {"name": "场所证明", "required": True, "source": "MATERIAL_SOURCE_APPLICANT"},
]


def test_only_applicant_materials_get_an_upload_slot() -> None:
    slots = fs.material_slots(MATERIALS)
    assert [(s.index, s.title, s.name, s.required) for s in slots] == [
        (0, "申请书", "material.0", True),
        (2, "场所证明", "material.2", True),
    ]


def test_uploaded_files_are_kept_unless_removed_and_chosen_files_exclude_empty_inputs() -> None:
    slot = fs.material_slots(MATERIALS)[0]
    file_id = "0b9d6c1e-2f57-4a59-9d7a-3c1f7e2a8b10"
    posted = {
        "material.0.kept": [f"{file_id}/申请书.pdf", "not-an-id/x.pdf"],
        "material.0": [Upload(""), Upload("a.pdf"), ""],
    }
    kept = af.kept_files(posted, slot)
    assert [(k.file_id, k.file_name, k.token) for k in kept] == [
        (file_id, "申请书.pdf", f"{file_id}/申请书.pdf")
    ]
    assert af.kept_files({**posted, "material.0.remove": "1"}, slot) == []
    assert [u.filename for u in af.chosen_uploads(posted, slot)] == ["a.pdf"]
    slots = fs.material_slots(MATERIALS)
    assert af.material_submissions(slots, {0: kept, 2: []}) == [
        {"material_name": "申请书", "file_ids": [file_id]}
    ]


def test_gateway_field_messages_land_on_the_inputs() -> None:
    slots = fs.material_slots(MATERIALS)
    fields = {
        "form_data.operator_name": "请填写经营者姓名。",
        "applicant.id_number": "身份证号码不对",
        "applicant.name": "请填写申请人名称",
        "materials.场所证明": "文件不是您上传的",
        "Idempotency-Key": "缺少幂等键",
        "form_data": "表单不对",
    }
    assert af.map_gateway_fields(fields, slots, legal=True) == {
        "form.operator_name": "请填写经营者姓名。",
        "applicant.id_number": "身份证号码不对",
        "applicant.org_name": "请填写申请人名称",
        "material.2": "文件不是您上传的",
        "_form": "缺少幂等键 表单不对",
    }
    assert af.map_gateway_fields({"applicant.name": "x"}, slots, legal=False) == {"applicant.name": "x"}
