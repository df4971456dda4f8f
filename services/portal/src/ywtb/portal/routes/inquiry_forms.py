"""咨询投诉 forms: the citizen's question (咨询) or complaint (投诉) with what it is about — signed in, or without an
account with a mobile verified by a texted code — a complaint's escalation, the department's answer: their
input names, what was typed, the request bodies and the gateway's field names on the inputs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ywtb.portal.routes.citizen_catalogue import CREDIT_CODE
from ywtb.portal.routes.citizen_common import CASE_NO, ITEM_ID

CONSULTATION, COMPLAINT = "consultation", "complaint"
KINDS = (CONSULTATION, COMPLAINT)
ASKED, ANSWERED, ESCALATED = "INQUIRY_STATUS_ASKED", "INQUIRY_STATUS_ANSWERED", "INQUIRY_STATUS_ESCALATED"
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # an inquiry id, as the gateway takes it
TENANT = re.compile(r"^\d{6}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")  # a mainland mobile number, as the gateway takes it
MOBILE_CODE = re.compile(r"^\d{6}$")
REF = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # a 查询码 (the service's are 16 of these)
ASK_INPUTS = ("kind", "about", "title", "question", "consent")
MOBILE_INPUTS = ("mobile", "mobile_code")
# the gateway's fields of AskQuestion → the ask form's inputs (what it is about: one select)
ASK_FIELDS = {
    "kind": "kind",
    "title": "title",
    "question": "question",
    "consent_to_publish": "consent",
    "item_id": "about",
    "case_no": "about",
    "dept": "about",
    "tenant": "about",
    "mobile": "mobile",
    "mobile_code": "mobile_code",
}
Translate = Callable[..., str]


def about_value(item_id: str = "", case_no: str = "", tenant: str = "", dept: str = "") -> str:
    """The value of the "about" select: "item:<id>", "case:<case_no>" or "dept:<tenant>:<credit code>"."""
    if case_no:
        return f"case:{case_no}"
    if item_id:
        return f"item:{item_id}"
    return f"dept:{tenant}:{dept}" if tenant and dept else ""


def parse_about(value: str) -> dict[str, str] | None:
    """The AskQuestion fields of an "about" value ({} when none is chosen, None when it is no choice)."""
    kind, _, rest = value.partition(":")
    if not value:
        return {}
    if kind == "item" and ITEM_ID.match(rest):
        return {"item_id": rest}
    if kind == "case" and CASE_NO.match(rest):
        return {"case_no": rest}
    tenant, _, dept = rest.partition(":")
    if kind == "dept" and TENANT.match(tenant) and CREDIT_CODE.match(dept):
        return {"tenant": tenant, "dept": dept}
    return None


def prefilled(kind: str, item_id: str, case_no: str) -> dict[str, str]:
    """The ask form opened from a guide's 咨询 (the item) or a case page's 投诉 (the case); bad values left out."""
    return {
        "kind": kind if kind in KINDS else "",
        "about": about_value(
            item_id=item_id if ITEM_ID.match(item_id) else "",
            case_no=case_no if CASE_NO.match(case_no) else "",
        ),
        "title": "",
        "question": "",
        "consent": "",
    }


def ask_values(form: dict[str, Any]) -> dict[str, str]:
    """What was typed into the ask form (the consent: "yes" when ticked)."""
    values = {name: _text(form.get(name)) for name in ASK_INPUTS}
    values["consent"] = "yes" if values["consent"] == "yes" else ""
    return values


def _text(value: Any) -> str:
    """A posted text (not a list of them, not a file)."""
    return value if isinstance(value, str) else ""


def ask_body(values: dict[str, str], t: Translate) -> tuple[dict[str, Any], dict[str, str]]:
    """(AskQuestion body, messages by input): the kind and the choice checked here, the texts by the gateway."""
    errors = {}
    if values["kind"] not in KINDS:
        errors["kind"] = t("inquiry.form.kind_required")
    about = parse_about(values["about"])
    if about is None:
        errors["about"] = t("inquiry.form.about_bad")
    body = {
        "kind": values["kind"],
        "title": values["title"].strip(),
        "question": values["question"].strip(),
        "consent_to_publish": values["consent"] == "yes",
        **(about or {}),
    }
    return body, errors


def mobile_values(form: dict[str, Any]) -> dict[str, str]:
    """What was typed into the ask form without an account: the question, the mobile and its code."""
    return {**ask_values(form), **{name: _text(form.get(name)) for name in MOBILE_INPUTS}}


def digits(typed: str) -> str:
    """A number as typed, full-width digits as half-width, without spaces and hyphens."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", typed))


def mobile_error(typed: str, t: Translate) -> str:
    """Why the typed mobile number cannot be texted ("" when it can)."""
    return "" if MOBILE.match(digits(typed)) else t("inquiry.mobile.mobile_bad")


def mobile_ask_body(values: dict[str, str], t: Translate) -> tuple[dict[str, Any], dict[str, str]]:
    """(the by-mobile AskQuestion body, messages by input): a case needs its applicant's login; the mobile and
    its code checked here, the texts by the gateway."""
    body, errors = ask_body(values, t)
    if "case_no" in body:
        errors["about"] = t("inquiry.mobile.case_login")
        del body["case_no"]
    if bad := mobile_error(values["mobile"], t):
        errors["mobile"] = bad
    if not MOBILE_CODE.match(digits(values["mobile_code"])):
        errors["mobile_code"] = t("inquiry.mobile.code_bad")
    return {**body, "mobile": digits(values["mobile"]), "mobile_code": digits(values["mobile_code"])}, errors


def ask_input(name: str) -> str:
    """The ask form's input of a gateway field ("_form" for one it does not have)."""
    return ASK_FIELDS.get(name, "_form")


def escalation_values(form: dict[str, Any], inquiry_id: str) -> dict[str, str]:
    """What was typed into a complaint's escalation form, under its input's name."""
    return {f"reason-{inquiry_id}": _text(form.get("reason"))}


def answer_names(inquiry_id: str) -> tuple[str, str]:
    """The names of an inquiry's answer inputs (reply, publish)."""
    return f"reply-{inquiry_id}", f"publish-{inquiry_id}"


def answer_values(form: dict[str, Any], inquiry_id: str) -> dict[str, str]:
    """What was typed into an inquiry's answer form, under its inputs' names."""
    reply, publish = answer_names(inquiry_id)
    return {reply: _text(form.get("reply")), publish: "yes" if form.get("publish") == "yes" else ""}


def answer_body(form: dict[str, Any]) -> dict[str, Any]:
    """The AnswerInquiry body of a posted answer form."""
    return {"reply": _text(form.get("reply")).strip(), "publish": form.get("publish") == "yes"}
