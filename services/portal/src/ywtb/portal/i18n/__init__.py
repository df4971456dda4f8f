"""Interface texts in Chinese (default) and English, one message table per area."""

from __future__ import annotations

from ywtb.portal.i18n import (
    admin,
    citizen,
    common,
    evaluation,
    inquiry,
    labels,
    licence,
    payment,
    visits,
    workbench,
    workbench_payment,
)

LANGS = ("zh", "en")
MESSAGES: dict[str, tuple[str, str]] = {
    **common.MESSAGES,
    **labels.MESSAGES,
    **citizen.MESSAGES,
    **licence.MESSAGES,
    **payment.MESSAGES,
    **workbench.MESSAGES,
    **workbench_payment.MESSAGES,
    **admin.MESSAGES,
    **evaluation.MESSAGES,
    **inquiry.MESSAGES,
    **visits.MESSAGES,
}


def translate(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` with `{name}` placeholders filled; the key itself when unknown."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
