"""Official code validators: region codes (GB/T 2260), unified social credit codes (GB 32100) and
resident ID numbers (GB 11643).

Every `validate_*` returns the normalised value or raises ywtb.common.errors.InvalidArgument with a
Chinese message saying what is wrong and what to do, and `fields={field: message}`.
"""

from __future__ import annotations

import datetime as dt
import re

from ywtb.common.codes.credit_code import (
    REGISTRATION_AUTHORITIES,
    credit_check_char,
    credit_code_region,
    credit_code_valid,
    make_credit_code,
    organization_check_char,
    organization_code_valid,
    validate_credit_code,
)
from ywtb.common.codes.regions import (
    RegionLevel,
    is_ancestor,
    region_ancestors,
    region_exists,
    region_level,
    region_name,
    region_parent,
    region_table,
    region_table_source,
    validate_region_code,
)
from ywtb.common.errors import InvalidArgument
from ywtb.common.pii import id_check_char, id_number_valid

__all__ = [
    "REGISTRATION_AUTHORITIES",
    "RegionLevel",
    "credit_check_char",
    "credit_code_region",
    "credit_code_valid",
    "id_birth_date",
    "id_check_char",
    "id_number_valid",
    "is_ancestor",
    "make_credit_code",
    "organization_check_char",
    "organization_code_valid",
    "region_ancestors",
    "region_exists",
    "region_level",
    "region_name",
    "region_parent",
    "region_table",
    "region_table_source",
    "validate_credit_code",
    "validate_id_number",
    "validate_region_code",
]

# Resident ID number (居民身份证号码, GB 11643-1999): the check itself lives in ywtb.common.pii.

_ID_SHAPE = re.compile(r"\d{17}[\dX]")
# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use 810000, 820000 and
# 830000; 83 is not a GB/T 2260 province, so it is allowed here explicitly.
_EXTRA_PROVINCES = frozenset({"83"})
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_ID_ERROR_CODE = "INVALID_ID_NUMBER"


def id_birth_date(value: str) -> dt.date | None:
    """The birth date in positions 7-14, or None when it is not a real date."""
    try:
        return dt.datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def _id_invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    return InvalidArgument(message, code=_ID_ERROR_CODE, message_en=message_en, fields={field: message})


def validate_id_number(value: object, field: str = "id_number", *, today: dt.date | None = None) -> str:
    """Return the 18-character ID number normalised (spaces stripped, "x" → "X") or raise InvalidArgument.

    Checks the shape, that the first two digits are a province (or 83, Taiwan residence permits), that
    positions 7-14 are a real birth date between 1900-01-01 and today, and the GB 11643 check character.
    The county part is not checked against the current table: numbers keep the code of the county of
    first registration even after it is abolished.
    """
    text = value.strip().upper() if isinstance(value, str) else ""
    if not _ID_SHAPE.fullmatch(text):
        raise _id_invalid(
            field,
            "身份证号码应为18位，前17位为数字，最后一位为数字或X，请核对后重新填写",
            "an ID number has 17 digits followed by a digit or X",
        )
    if text[:2] not in _EXTRA_PROVINCES and text[:2] + "0000" not in region_table():
        raise _id_invalid(
            field,
            f"身份证号码前两位「{text[:2]}」不是有效的省级行政区划代码，请核对后重新填写",
            f"the ID number starts with {text[:2]}, which is not a province code",
        )
    born = id_birth_date(text)
    if born is None or not (_EARLIEST_BIRTH <= born <= (today or dt.date.today())):
        raise _id_invalid(
            field,
            f"身份证号码中的出生日期「{text[6:14]}」不是有效日期，请核对后重新填写",
            f"the birth date {text[6:14]} in the ID number is not a valid date",
        )
    if not id_number_valid(text):
        raise _id_invalid(
            field,
            "身份证号码校验位不正确，请核对后重新填写",
            "the check character of the ID number is wrong",
        )
    return text
