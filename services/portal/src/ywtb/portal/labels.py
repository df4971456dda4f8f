"""Code → label lookups shared by every area (case status, item type, service object, materials, ...).

Codes are accepted as the gateway returns them (proto enum names such as "CASE_STATUS_ACCEPTED"),
as the short lower-case filter values ("accepted") or as plain codes ("01", 2).
"""

from __future__ import annotations

from typing import Any

from ywtb.portal.i18n import translate

# kind → the enum name prefix the gateway's JSON carries ("" for plain codes)
PREFIXES: dict[str, str] = {
    "case_status": "CASE_STATUS_",
    "acceptance_mode": "ACCEPTANCE_MODE_",
    "channel": "CHANNEL_",
    "case_type": "CASE_TYPE_",
    "service_object": "SERVICE_OBJECT_",
    "material_kind": "MATERIAL_KIND_",
    "material_source": "MATERIAL_SOURCE_",
    "result_type": "RESULT_TYPE_",
    "time_unit": "TIME_UNIT_",
    "item_status": "ITEM_STATUS_",
    "basic_item_status": "BASIC_ITEM_STATUS_",
    "change_kind": "CHANGE_KIND_",
    "decision": "DECISION_",
    "deadline_colour": "DEADLINE_COLOUR_",
    "task_status": "TASK_STATUS_",
    "licence_status": "LICENCE_STATUS_",
    "item_type": "",
    "exercise_level": "",
    "online_depth": "",
    "real_name_level": "",
    "applicant_type": "",
    "id_type": "",
}

# Ordered codes of each list (for select boxes); enum lists use their short names.
CODES: dict[str, tuple[str, ...]] = {
    "case_status": (
        "SUBMITTED",
        "CORRECTION_REQUESTED",
        "ACCEPTED",
        "REJECTED",
        "RUNNING",
        "SUSPENDED",
        "COMPLETED",
    ),
    "acceptance_mode": ("NORMAL", "TOLERANT", "COMMITMENT"),
    "channel": ("ONLINE", "WINDOW"),
    "case_type": ("INSTANT", "PROMISED"),
    "service_object": ("NATURAL_PERSON", "LEGAL_PERSON"),
    "material_kind": ("ORIGINAL", "COPY", "ELECTRONIC"),
    "material_source": ("APPLICANT", "GOVERNMENT"),
    "result_type": ("LICENCE", "APPROVAL_DOCUMENT", "OTHER"),
    "time_unit": ("WORKDAY", "NATURAL_DAY"),
    "item_status": ("DRAFT", "SUBMITTED", "RETURNED", "APPROVED", "PUBLISHED", "WITHDRAWN"),
    "basic_item_status": ("ACTIVE", "SUSPENDED", "CANCELLED", "SPLIT", "MERGED"),
    "change_kind": ("ADD", "CHANGE", "SPLIT", "MERGE", "SUSPEND", "CANCEL"),
    "decision": ("APPROVE", "DENY"),
    "deadline_colour": ("GREEN", "YELLOW", "RED"),
    "task_status": ("OPEN", "DONE", "CANCELLED"),
    "item_type": ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"),
    "exercise_level": ("1", "2", "3", "4"),
    "online_depth": ("1", "2", "3", "4", "5", "6", "7"),
    "real_name_level": ("2", "3", "4", "5"),
    "applicant_type": ("1", "2", "3", "4", "5", "6", "9"),
    "id_type": ("111", "001"),
}

# badge class of a case status (intake and approval statuses share one list)
STATUS_BADGES = {
    "SUBMITTED": "badge",
    "CORRECTION_REQUESTED": "badge badge-warn",
    "ACCEPTED": "badge badge-ok",
    "REJECTED": "badge badge-bad",
    "RUNNING": "badge badge-ok",
    "SUSPENDED": "badge badge-warn",
    "COMPLETED": "badge badge-ok",
}


def short_code(kind: str, code: Any) -> str:
    """The code as the label tables key it: "CASE_STATUS_ACCEPTED" / "accepted" → "ACCEPTED", 2 → "2"."""
    text = str(code if code is not None else "").strip()
    prefix = PREFIXES.get(kind, "")
    if prefix:
        text = text.upper().removeprefix(prefix)
        return "" if text == "UNSPECIFIED" else text
    return text


def label(lang: str, kind: str, code: Any) -> str:
    """The text of `code` in the code list `kind`; the code itself when unknown, "" when empty."""
    short = short_code(kind, code)
    if not short:
        return ""
    key = f"labels.{kind}.{short}"
    text = translate(lang, key)
    return short if text == key else text


def choices(lang: str, kind: str, *, filter_values: bool = False) -> list[tuple[str, str]]:
    """(value, text) of every code of `kind`: enum names as the API JSON takes them, or lower-case filter values."""
    prefix = PREFIXES[kind]
    result = []
    for short in CODES[kind]:
        value = short.lower() if filter_values and prefix else prefix + short
        result.append((value, label(lang, kind, short)))
    return result


def case_status(lang: str, code: Any) -> str:
    """办件状态 of intake (申办, 补正告知, 受理, 不予受理) or approval (办理中, 特别程序中, 办结)."""
    return label(lang, "case_status", code)


def status_badge(code: Any) -> str:
    """The CSS badge classes of a case status."""
    return STATUS_BADGES.get(short_code("case_status", code), "badge")


def stage_badge(case: dict[str, Any], approval: dict[str, Any] | None = None) -> str:
    """The badge classes of `case_stage`: a denial is shown as bad even though the case is completed."""
    if short_code("case_status", case.get("status")) != "ACCEPTED" or not approval:
        return status_badge(case.get("status"))
    if short_code("decision", approval.get("outcome")) == "DENY":
        return STATUS_BADGES["REJECTED"]
    return status_badge(approval.get("status") or case.get("status"))


def case_stage(lang: str, case: dict[str, Any], approval: dict[str, Any] | None = None) -> str:
    """One status for the applicant: the intake status, then the approval status and its outcome."""
    status = short_code("case_status", case.get("status"))
    if status != "ACCEPTED" or not approval:
        return case_status(lang, status)
    step = short_code("case_status", approval.get("status"))
    outcome = short_code("decision", approval.get("outcome"))
    if step == "COMPLETED" and outcome:
        decided = label(lang, "decision", outcome)
        return (
            f"{case_status(lang, step)} ({decided})"
            if lang == "en"
            else f"{case_status(lang, step)}（{decided}）"
        )
    return case_status(lang, step) if step else case_status(lang, status)


def visits(lang: str, count: Any) -> str:
    """到现场次数: 0 零跑动, 1 最多跑一次, n 次."""
    try:
        n = int(count or 0)
    except (TypeError, ValueError):
        return str(count)
    if n <= 1:
        return translate(lang, f"labels.visits.{n}")
    return translate(lang, "labels.visits.n", n=n)


def time_limit(lang: str, limit: dict[str, Any] | None) -> str:
    """A TimeLimit ({value, unit}) as text: "20 个工作日", "即办" for 0."""
    if not limit:
        return ""
    value = int(limit.get("value") or 0)
    if value == 0:
        return translate(lang, "labels.time_limit.instant")
    unit = short_code("time_unit", limit.get("unit")) or "WORKDAY"
    return translate(lang, f"labels.time_limit.{unit}", n=value)


class Labels:
    """The lookups bound to one language, for templates: `labels.case_status(code)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, kind: str, code: Any) -> str:
        return label(self.lang, kind, code)

    def choices(self, kind: str, *, filter_values: bool = False) -> list[tuple[str, str]]:
        """See `choices`."""
        return choices(self.lang, kind, filter_values=filter_values)

    def case_status(self, code: Any) -> str:
        """See `case_status`."""
        return case_status(self.lang, code)

    def status_badge(self, code: Any) -> str:
        """See `status_badge`."""
        return status_badge(code)

    def case_stage(self, case: dict[str, Any], approval: dict[str, Any] | None = None) -> str:
        """See `case_stage`."""
        return case_stage(self.lang, case, approval)

    def stage_badge(self, case: dict[str, Any], approval: dict[str, Any] | None = None) -> str:
        """See `stage_badge`."""
        return stage_badge(case, approval)

    def visits(self, count: Any) -> str:
        """See `visits`."""
        return visits(self.lang, count)

    def time_limit(self, limit: dict[str, Any] | None) -> str:
        """See `time_limit`."""
        return time_limit(self.lang, limit)
