"""Implementation codes (实施编码): one configurable pattern, at most 36 characters.

The national segment layout is not confirmed (DOMAIN.md §1). Placeholders: {basic_code} (12),
{region_code} (6, the tenant), {credit_code} (18, the implementing department) and {seq} (the
n-th claim of this basic item in the tenant, from 1; format it, e.g. {seq:02d}).

Default "{basic_code}{region_code}{credit_code}" = 36 characters. The pattern first proposed,
"{basic_code}{region_code}{credit_code}{seq:02d}", renders 38 characters and would break the
36-character limit of the national sync schema, so the default drops the sequence: a department
claims a basic item once, so basic code + department is already unique.
"""

from __future__ import annotations

import string

from ywtb.common.errors import ConfigError

MAX_LENGTH = 36
PLACEHOLDERS = frozenset({"basic_code", "region_code", "credit_code", "seq"})
DEFAULT_PATTERN = "{basic_code}{region_code}{credit_code}"


def check_pattern(pattern: str) -> str:
    """The pattern when it only uses known placeholders and renders at most 36 characters."""
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    unknown = names - PLACEHOLDERS
    if unknown or not names:
        raise ConfigError(
            f"实施编码规则只能使用 {sorted(PLACEHOLDERS)} 占位符：{pattern}",
            message_en=f"unknown placeholders {sorted(unknown)} in the implementation code pattern",
        )
    sample = render(pattern, "0" * 12, "510104", "0" * 18, 99, check=False)
    if len(sample) > MAX_LENGTH:
        raise ConfigError(
            f"实施编码规则生成的编码为{len(sample)}位，超过{MAX_LENGTH}位：{pattern}",
            message_en=f"implementation code pattern renders {len(sample)} > {MAX_LENGTH} characters",
        )
    return pattern


def render(
    pattern: str, basic_code: str, region_code: str, credit_code: str, seq: int, *, check: bool = True
) -> str:
    """The implementation code of a claim."""
    code = pattern.format(basic_code=basic_code, region_code=region_code, credit_code=credit_code, seq=seq)
    if check and len(code) > MAX_LENGTH:
        raise ConfigError(message_en=f"implementation code {code} longer than {MAX_LENGTH}")
    return code
