"""The templates registered with the 短信平台 (短信模板报备): a message names one and gives its parameters.

A government SMS gateway sends only texts from templates registered in advance, under a registered
signature (短信签名); the simulator accepts exactly these, and a real platform's are registered by ops
with the same codes, texts and parameters (README.md beside this file).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

SIGNATURE = "一网通办"  # 短信签名: the text goes out as 【一网通办】 followed by the template's text
MOBILE_CODE = "YWTB_MOBILE_CODE"
INQUIRY_ANSWERED = "YWTB_INQUIRY_ANSWERED"
TEMPLATES: dict[str, str] = {
    MOBILE_CODE: "您的验证码为{code}，{minutes}分钟内有效，请勿告知他人。",
    INQUIRY_ANSWERED: "您的{kind}「{title}」已答复，查询码 {ref}，请登录一网通办门户或凭查询码查看。",
}
MAX_PARAM_CHARS = 50  # one parameter's value (the platforms cap them; a long title is cut by the sender)


def placeholders(template: str) -> frozenset[str]:
    """The parameter names of a registered template (KeyError for an unknown one)."""
    return frozenset(name for _, name, _, _ in Formatter().parse(TEMPLATES[template]) if name)


def render(template: str, params: Mapping[str, str]) -> str:
    """The text the number receives: the signature, then the template filled with its parameters."""
    return f"【{SIGNATURE}】" + TEMPLATES[template].format_map(dict(params))
