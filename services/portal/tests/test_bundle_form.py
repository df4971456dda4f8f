"""The application form of a 一件事 bundle: the merged schema of its items and the merged materials."""

from __future__ import annotations

from ywtb.portal import application_form as af
from ywtb.portal import form_schema as fs

BIRTH = {
    "type": "object",
    "required": ["child_name", "mobile"],
    "properties": {
        "child_name": {"type": "string", "title": "新生儿姓名", "maxLength": 50},
        "mobile": {"type": "string", "title": "联系电话"},
    },
}
CARD = {
    "type": "object",
    "required": ["mobile", "delivery"],
    "properties": {
        "mobile": {"type": "string", "title": "手机", "pattern": "^1"},
        "delivery": {"type": "string", "title": "领卡方式", "enum": ["网点领取", "邮寄"]},
    },
}
# The gateway's Bundle JSON (only what the form reads).
BUNDLE = {
    "code": "510104-YJS-0002",
    "items": [
        {"item_id": "a", "guide": {"name": "出生登记", "form_schema": BIRTH}},
        {"item_id": "b", "guide": {"name": "社会保障卡申领", "form_schema": CARD}},
        {"item_id": "c", "guide": {"name": "无表单的事项"}},
    ],
    "materials": [
        {
            "material": {"name": "分娩记录", "required": True, "source": "MATERIAL_SOURCE_APPLICANT"},
            "item_ids": ["a"],
        },
        {
            "material": {"name": "身份证明", "required": True, "source": "MATERIAL_SOURCE_GOVERNMENT"},
            "item_ids": ["a", "b"],
        },
        {
            "material": {"name": "照片", "required": False, "source": "MATERIAL_SOURCE_APPLICANT"},
            "item_ids": ["b"],
        },
    ],
}


def test_the_form_has_every_items_fields_once_and_all_their_required_ones() -> None:
    fields = fs.schema_fields(fs.bundle_schema(BUNDLE))
    assert [(f.key, f.label, f.required) for f in fields] == [
        ("child_name", "新生儿姓名", True),
        ("mobile", "联系电话", True),  # the first item's definition
        ("delivery", "领卡方式", True),
    ]
    data, errors, values = af.parse_form(
        "zh", fields, {"form.child_name": "小明", "form.mobile": "13800000001"}
    )
    assert errors == {"form.delivery": "请选择领卡方式。"}
    assert values["form.child_name"] == "小明" and data == {"child_name": "小明", "mobile": "13800000001"}


def test_a_bundle_without_items_or_schemas_has_no_fields() -> None:
    assert fs.bundle_schema({"items": []}) == {}
    assert fs.schema_fields(fs.bundle_schema({"items": [BUNDLE["items"][2]]})) == []


def test_the_merged_materials_keep_the_items_they_serve_and_only_applicant_ones_get_a_slot() -> None:
    materials = fs.bundle_materials(BUNDLE)
    assert materials[1] == {
        "name": "身份证明",
        "required": True,
        "source": "MATERIAL_SOURCE_GOVERNMENT",
        "item_ids": ["a", "b"],
    }
    slots = fs.material_slots(materials)
    assert [(s.index, s.title, s.required, s.material["item_ids"]) for s in slots] == [
        (0, "分娩记录", True, ["a"]),
        (2, "照片", False, ["b"]),
    ]
    files = {0: [af.KeptFile("0123456789abcdef", "分娩记录.pdf")], 2: []}
    assert af.material_submissions(slots, files) == [
        {"material_name": "分娩记录", "file_ids": ["0123456789abcdef"]}
    ]
