"""The citizen's 好差评 forms: a rating (or 追评) of a stage and the confirmation of a rectification — their
input names, what was typed, the request bodies and the gateway's field names on the inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LEVELS = (5, 4, 3, 2, 1)
BAD = 2  # levels up to this are bad reviews
INDICATORS = ("efficiency", "guide_accuracy", "convenience", "usability")  # online sub-indicators
STAGES = ("STAGE_RECEIPT", "STAGE_ACCEPTANCE", "STAGE_COMPLETION")
COMPLETION = "STAGE_COMPLETION"
PC = 1  # the channel of ratings given on this site
MAX_COMMENT = 500
Translate = Callable[..., str]


def stage_of(value: Any) -> str:
    """A stage as the API names it; completion when it is none of them."""
    return str(value) if value in STAGES else COMPLETION


def form_prefix(stage: str, follow_up: bool) -> str:
    """The prefix of one rating form's inputs: "rate-completion", "follow-completion"."""
    return ("follow-" if follow_up else "rate-") + stage_of(stage).removeprefix("STAGE_").lower()


def rating_values(form: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(the form's prefix, what was typed under its inputs' names) of a posted rating form."""
    prefix = form_prefix(stage_of(form.get("stage")), form.get("follow_up") == "yes")
    text = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values = {f"{prefix}-level": text.get("level", ""), f"{prefix}-comment": text.get("comment", "")}
    for name in INDICATORS:
        values[f"{prefix}-{name}"] = text.get(f"indicators.{name}", "")
    return prefix, values


def _level(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and int(text) in LEVELS else None


def rating_body(form: dict[str, Any], t: Translate) -> tuple[dict[str, Any], dict[str, str]]:
    """(RateCase body, messages by input) of a posted rating form; sub-indicators left blank are not sent."""
    prefix, _ = rating_values(form)
    errors: dict[str, str] = {}
    level = _level(form.get("level"))
    if level is None:
        errors[f"{prefix}-level"] = t("evaluation.form.level_required")
    indicators = {}
    for name in INDICATORS:
        given = str(form.get(f"indicators.{name}") or "").strip()
        if given:
            value = _level(given)
            if value is None:
                errors[f"{prefix}-{name}"] = t("evaluation.form.indicator_bad")
            else:
                indicators[name] = value
    comment = str(form.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors[f"{prefix}-comment"] = t("evaluation.form.comment_long")
    body = {
        "level": level or 0,
        "indicators": indicators,
        "comment": comment,
        "channel": PC,
        "stage": stage_of(form.get("stage")),
        "follow_up": form.get("follow_up") == "yes",
    }
    return body, errors


def rating_renamer(prefix: str) -> Callable[[str], str]:
    """The gateway's field names of a RateCase ("level", "indicators.efficiency") → the form's inputs."""

    def rename(name: str) -> str:
        field = name.removeprefix("indicators.").removeprefix("indicators[").rstrip("]")
        return f"{prefix}-{field}" if field in (*INDICATORS, "comment") else f"{prefix}-level"

    return rename


def confirm_names(rectification_id: str) -> tuple[str, str]:
    """The names of a rectification's confirmation inputs (satisfied, comment)."""
    return f"satisfied-{rectification_id}", f"confirm_comment-{rectification_id}"


def confirm_values(form: dict[str, Any], rectification_id: str) -> dict[str, str]:
    """What was typed into a rectification's confirmation form, under its inputs' names."""
    satisfied, comment = confirm_names(rectification_id)
    return {satisfied: str(form.get("satisfied") or ""), comment: str(form.get("comment") or "")}


def confirm_body(
    form: dict[str, Any], rectification_id: str, t: Translate
) -> tuple[dict[str, Any], dict[str, str]]:
    """(ConfirmRectification body, messages by input) of a posted confirmation."""
    satisfied, comment_name = confirm_names(rectification_id)
    answer, comment = str(form.get("satisfied") or ""), str(form.get("comment") or "").strip()
    errors = {}
    if answer not in ("yes", "no"):
        errors[satisfied] = t("evaluation.confirm.required")
    if len(comment) > MAX_COMMENT:
        errors[comment_name] = t("evaluation.confirm.comment_long")
    return {"satisfied": answer == "yes", "comment": comment}, errors


def draft_values(form: dict[str, Any], rectification_id: str | None) -> dict[str, Any]:
    """A draft of the case page's rating form (or, with an id, of a confirmation): its values, the form opened."""
    if rectification_id:
        return {"rating_values": confirm_values(form, rectification_id), "rating_open": rectification_id}
    prefix, values = rating_values(form)
    return {"rating_values": values, "rating_open": prefix}
