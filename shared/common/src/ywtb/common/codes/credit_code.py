"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from the 31-character set 0-9 A-H J-N P-R T-U W-Y (no I, O, Z, S, V):

- 1     registration authority (登记管理部门): 1 机构编制, 5 民政, 9 工商 (市场监管), Y 其他 ...
- 2     organisation category (机构类别), per authority: e.g. 11 机关, 12 事业单位, 51 社会团体,
        52 民办非企业单位, 53 基金会, 91 企业, 92 个体工商户, 93 农民专业合作社
- 3-8   region code of the registering authority (GB/T 2260)
- 9-17  organisation code (主体标识码, GB 11714), position 17 being its own check character
- 18    check character: 31 - (Σ value(cᵢ)·wᵢ mod 31), weights wᵢ = 3^(i-1) mod 31
        (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); 31 becomes 0.

Validation checks length, characters and the position-18 check character only. It does not check
positions 1-2 against a table (authorities have been added since 2015), positions 3-8 against the
current region table (a code keeps its region digits after the region is merged or renamed), nor the
GB 11714 digit at 17 (see organization_code_valid, offered separately).
"""

from __future__ import annotations

import re

from ywtb.common.errors import InvalidArgument

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_SHAPE = re.compile(f"[{CHARSET}]{{18}}")

# GB 11714-1997 organisation code: 8 body characters (digits, or letters valued A=10 ... Z=35), weights,
# check = 11 - (sum mod 11) with 10 → "X" and 11 → "0".
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

_ERROR_CODE = "INVALID_CREDIT_CODE"


def credit_check_char(first17: str) -> str:
    """The position-18 check character of the first 17 characters (upper case, from CHARSET)."""
    if len(first17) != 17:
        raise ValueError("need the first 17 characters of a unified social credit code")
    try:
        total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a unified social credit code") from exc
    return CHARSET[-total % 31]


def organization_check_char(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body (digits / upper-case letters)."""
    if len(body8) != 8 or not re.fullmatch(r"[0-9A-Z]{8}", body8):
        raise ValueError("an organisation code body is 8 digits or upper-case letters")
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def organization_code_valid(code: str) -> bool:
    """True when the organisation code inside a credit code (positions 9-17) has a correct GB 11714 check.

    Informational: validate_credit_code does not require it.
    """
    code = code.strip().upper() if isinstance(code, str) else ""
    part = code[8:17] if len(code) == 18 else code
    if len(part) != 9:
        return False
    try:
        return organization_check_char(part[:8]) == part[8]
    except ValueError:
        return False


def credit_code_valid(code: str) -> bool:
    """True when `code` (any case, surrounding spaces ignored) is 18 allowed characters with a correct check."""
    if not isinstance(code, str):
        return False
    code = code.strip().upper()
    return _SHAPE.fullmatch(code) is not None and credit_check_char(code[:17]) == code[17]


def _invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    return InvalidArgument(message, code=_ERROR_CODE, message_en=message_en, fields={field: message})


def validate_credit_code(code: object, field: str = "credit_code") -> str:
    """Return the code normalised (spaces stripped, upper case) when valid; else InvalidArgument saying what is wrong."""
    text = code.strip().upper() if isinstance(code, str) else ""
    if len(text) != 18:
        raise _invalid(
            field,
            f"统一社会信用代码应为18位，当前为{len(text)}位，请核对营业执照或登记证书上的代码",
            f"a unified social credit code has 18 characters, got {len(text)}",
        )
    bad = [c for c in text if c not in _VALUE]
    if bad:
        shown = "、".join(dict.fromkeys(bad))
        raise _invalid(
            field,
            f"统一社会信用代码含有不允许的字符「{shown}」（代码不使用 I、O、Z、S、V），请核对营业执照或登记证书上的代码",
            f"illegal character(s) {shown!r} in the unified social credit code (I, O, Z, S, V are never used)",
        )
    if credit_check_char(text[:17]) != text[17]:
        raise _invalid(
            field,
            "统一社会信用代码校验位不正确，请核对营业执照或登记证书上的代码",
            "the check character of the unified social credit code is wrong",
        )
    return text


def credit_code_region(code: str) -> str:
    """Positions 3-8: the region code of the registering authority (ValueError if the code is invalid)."""
    if not credit_code_valid(code):
        raise ValueError("not a valid unified social credit code")
    return code.strip()[2:8]


def make_credit_code(prefix17: str, *, fix_organization_check: bool = True) -> str:
    """Make a valid code from its first 17 characters, for test and demo data: appends position 18.

    With fix_organization_check (default) position 17 is first replaced by the GB 11714 check character
    of positions 9-16, so the organisation code inside is valid too; the result then also passes
    organization_code_valid. Positions 9-16 must then be digits or letters. Pass
    fix_organization_check=False to keep position 17 as given.
    """
    prefix = prefix17.strip().upper()
    if len(prefix) != 17:
        raise ValueError("make_credit_code needs exactly 17 characters")
    if fix_organization_check:
        prefix = prefix[:16] + organization_check_char(prefix[8:16])
    return prefix + credit_check_char(prefix)
