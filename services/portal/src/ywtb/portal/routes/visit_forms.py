"""The forms of 一次一评: the visitor's rating of a window visit (or its 追评) and the clerk's record of a visit —
what was typed, the request bodies, the messages by input and the gateway's field names on the inputs."""

from __future__ import annotations

import re
from typing import Any

from ywtb.portal.routes.rating_forms import LEVELS, MAX_COMMENT, Translate

OFFLINE_INDICATORS = ("efficiency", "service_level", "attitude")  # the window's sub-indicators
QR, TABLET = 3, 4  # the channels: the visit's QR code scanned, the window's tablet
ITEM_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
CASE_NO = re.compile(r"^[0-9A-Za-z-]{6,64}$")
MAX_WINDOW, MAX_VISITOR = 40, 200
VISIT_FIELDS = ("window", "item_id", "case_no", "visitor_name")


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _level(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isdigit() and int(text) in LEVELS else None


def rating_values(form: dict[str, Any]) -> dict[str, str]:
    """What was typed into a visit's rating form, under its inputs' names (level, efficiency, ..., comment)."""
    values = {"level": _text(form, "level"), "comment": _text(form, "comment")}
    for name in OFFLINE_INDICATORS:
        values[name] = _text(form, f"indicators.{name}")
    return values


def rating_body(form: dict[str, Any], t: Translate) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(RateVisit body, messages by input, what was typed) of a posted rating; the channel from the page's
    mode (the tablet or the QR code); sub-indicators left blank and those of a follow-up are not sent."""
    values = rating_values(form)
    follow_up = form.get("follow_up") == "yes"
    errors: dict[str, str] = {}
    level = _level(values["level"])
    if level is None:
        errors["level"] = t("evaluation.form.level_required")
    indicators = {}
    for name in () if follow_up else OFFLINE_INDICATORS:
        if values[name].strip():
            value = _level(values[name])
            if value is None:
                errors[name] = t("evaluation.form.indicator_bad")
            else:
                indicators[name] = value
    comment = values["comment"].strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = t("evaluation.form.comment_long")
    body = {
        "level": level or 0,
        "indicators": indicators,
        "comment": comment,
        "channel": TABLET if form.get("mode") == "tablet" else QR,
        "follow_up": follow_up,
    }
    return body, errors, values


def rating_input(name: str) -> str:
    """The gateway's field of a RateVisit ("indicators.attitude", "comment") → the form's input ("_form": none)."""
    field = name.removeprefix("indicators.").removeprefix("indicators[").rstrip("]")
    return field if field in (*OFFLINE_INDICATORS, "comment", "level") else "_form"


def visit_values(form: dict[str, Any]) -> dict[str, str]:
    """What was typed into the clerk's form of a visit."""
    return {name: _text(form, name) for name in VISIT_FIELDS}


def visit_body(form: dict[str, Any], t: Translate) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(OpenVisit body, messages by input, what was typed) of the clerk's posted visit."""
    values = visit_values(form)
    body = {name: value.strip() for name, value in values.items()}
    errors = {}
    if not body["window"] or len(body["window"]) > MAX_WINDOW:
        errors["window"] = t("workbench.visits.window_required")
    if body["item_id"] and not ITEM_ID.match(body["item_id"]):
        errors["item_id"] = t("workbench.visits.item_bad")
    if body["case_no"] and not CASE_NO.match(body["case_no"]):
        errors["case_no"] = t("workbench.visits.case_no_bad")
    if len(body["visitor_name"]) > MAX_VISITOR:
        errors["visitor_name"] = t("workbench.visits.visitor_long")
    return body, errors, values


def visit_input(name: str) -> str:
    """The gateway's field of an OpenVisit → the form's input ("_form": none of them)."""
    return name if name in VISIT_FIELDS else "_form"


def unknown_input(body: dict[str, str]) -> str:
    """The input an OpenVisit's "not found" is about: the case number, else the item ("_form": neither)."""
    return "case_no" if body.get("case_no") else "item_id" if body.get("item_id") else "_form"
