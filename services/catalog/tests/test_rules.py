"""The guide validation rules: each rule refuses a bad guide and accepts the good one."""

from __future__ import annotations

import copy

import pytest

from ywtb.catalog import rules
from ywtb.catalog.guide import parse_guide
from ywtb.common.errors import InvalidArgument

GOOD = {
    "name": "个体工商户设立登记",
    "conditions": "具有经营能力的自然人",
    "legal_limit": {"value": 15, "unit": "workday"},
    "promised_limit": {"value": 3, "unit": "workday"},
    "case_type": "promised",
    "visits": 0,
    "online_depth": 6,
    "fees": [{"name": "登记费", "standard": "0元", "basis": "财税〔2014〕101号", "charged": True}],
    "place": "锦江区政务服务中心",
    "hours": "工作日 9:00-17:00",
    "consult_phone": "028-12345",
    "complaint_phone": "12345",
    "service_objects": ["natural_person"],
    "result": {"name": "营业执照", "type": "licence", "licence_type": "LT-YYZZ"},
    "materials": [
        {"name": "居民身份证", "source": "government", "licence_type": "LT-SFZ"},
        {"name": "经营场所使用证明", "source": "applicant"},
    ],
    "form_schema": {
        "type": "object",
        "properties": {"shop_name": {"type": "string"}},
        "required": ["shop_name"],
    },
}


def _with(**changes) -> dict:  # type: ignore[no-untyped-def]
    guide = copy.deepcopy(GOOD)
    guide.update(changes)
    return guide


def errors(guide: dict) -> dict[str, str]:
    return rules.evaluate(parse_guide(guide)).errors


def test_the_good_guide_passes_every_rule() -> None:
    assert errors(GOOD) == {}
    assert rules.require_valid(parse_guide(GOOD)).errors == {}


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        # promised ≤ legal (same unit); mixed units refused
        ({"promised_limit": {"value": 20, "unit": "workday"}}, "guide.promised_limit"),
        ({"promised_limit": {"value": 3, "unit": "natural_day"}}, "guide.promised_limit"),
        # promised case needs a promised limit
        ({"promised_limit": {"value": 0, "unit": "workday"}}, "guide.promised_limit"),
        # instant ⇒ promised 0
        ({"case_type": "instant"}, "guide.promised_limit"),
        # fully online ⇒ zero visits
        ({"visits": 1}, "guide.visits"),
        # zero visits ⇒ depth ≥ 4
        ({"online_depth": 3}, "guide.online_depth"),
        # a charged fee needs a basis
        ({"fees": [{"name": "工本费", "standard": "10元", "charged": True}]}, "guide.fees.0.basis"),
        # a fee paid online needs its amount in fen; 缴费后发证 needs a fee paid online
        (
            {
                "online_payment": True,
                "fees": [{"name": "工本费", "standard": "10元", "basis": "文件", "charged": True}],
            },
            "guide.fees.0.amount_fen",
        ),
        ({"pay_before_licence": True}, "guide.pay_before_licence"),
        # at least one material or an explicit none
        ({"materials": []}, "guide.materials"),
        ({"no_materials": True}, "guide.no_materials"),
        # form schema: an object whose required ⊆ properties
        ({"form_schema": {}}, "guide.form_schema"),
        ({"form_schema": {"type": "array"}}, "guide.form_schema"),
        (
            {"form_schema": {"type": "object", "properties": {"a": {}}, "required": ["b"]}},
            "guide.form_schema",
        ),
        # a government-issued certificate names its licence type
        (
            {"materials": [{"name": "营业执照（副本）", "source": "government"}]},
            "guide.materials.0.licence_type",
        ),
        # completeness
        ({"conditions": " "}, "guide.conditions"),
        ({"service_objects": []}, "guide.service_objects"),
        ({"online_depth": 0, "visits": 1}, "guide.online_depth"),
        # real-name levels are 2..5 (DOMAIN.md §8), 0 = any
        ({"min_real_name_level": 1}, "guide.min_real_name_level"),
    ],
)
def test_each_rule_refuses_with_a_chinese_message_on_its_field(changes, path) -> None:  # type: ignore[no-untyped-def]
    found = errors(_with(**changes))
    assert path in found, found
    assert any("\u4e00" <= ch <= "\u9fff" for ch in found[path])
    with pytest.raises(InvalidArgument) as caught:
        rules.require_valid(parse_guide(_with(**changes)))
    assert path in caught.value.fields


@pytest.mark.parametrize(
    "changes",
    [
        {"case_type": "instant", "promised_limit": {"value": 0, "unit": "workday"}},
        {"promised_limit": {"value": 15, "unit": "workday"}},  # equal is allowed
        {
            "legal_limit": {"value": 20, "unit": "natural_day"},
            "promised_limit": {"value": 10, "unit": "natural_day"},
        },
        {"visits": 1, "online_depth": 3},
        {"fees": [{"name": "不收费", "charged": False}]},
        {"fees": []},
        {"materials": [], "no_materials": True},
        {"form_schema": {"type": "object", "properties": {"a": {}}}},
        # not a certificate: a government-sourced 证明 only warns
        {"materials": [{"name": "户籍证明", "source": "government"}]},
    ],
)
def test_consistent_variants_pass(changes) -> None:  # type: ignore[no-untyped-def]
    assert errors(_with(**changes)) == {}


def test_government_sourced_non_certificates_warn() -> None:
    findings = rules.evaluate(parse_guide(_with(materials=[{"name": "户籍证明", "source": "government"}])))
    assert "guide.materials.0.licence_type" in findings.warnings


@pytest.mark.parametrize(
    ("name", "certificate"),
    [
        ("营业执照（副本）", True),
        ("居民身份证", True),
        ("不动产权证书", True),
        ("食品经营许可证", True),
        ("户籍证明", False),
        ("申请书", False),
    ],
)
def test_certificates_are_recognised_by_name(name: str, certificate: bool) -> None:
    assert rules.is_certificate(name) is certificate


def test_malformed_guides_are_refused_while_editing() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_guide(_with(case_type="sometimes", colour="red"))
    assert set(caught.value.fields) == {"guide.case_type", "guide.colour"}


def test_a_real_name_level_above_5_is_a_format_error_on_its_field() -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse_guide(_with(min_real_name_level=6))
    assert "guide.min_real_name_level" in refused.value.fields
