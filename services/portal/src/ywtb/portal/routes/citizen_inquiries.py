"""咨询投诉 of the citizen: 我的咨询投诉 (each with its status, reply deadline, answer) and the form asking about
an item (opened from its guide's 咨询) or complaining about a case (from the case page's 投诉) or a department;
a complaint escalated to the tenant's 政务服务管理; the public page of the published answers (公开答复). Without
an account the form asks for a mobile and the code texted to it (获取验证码 posts the form, shown again with what
was typed), and the answer to the question shows its 查询码 once (inquiry_refs: the page it opens)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.common.pii import mask_phone
from ywtb.portal.deadline import parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_catalogue import catalogue, guide_version
from ywtb.portal.routes.citizen_common import PAGE_SIZE, context
from ywtb.portal.routes.inquiry_forms import (
    ID,
    REF,
    ask_body,
    ask_input,
    ask_values,
    digits,
    escalation_values,
    mobile_ask_body,
    mobile_error,
    mobile_values,
    parse_about,
    prefilled,
)
from ywtb.portal.routes.inquiry_refs import build_refs_router
from ywtb.portal.routes.knowledge_base import MAX_QUERY, find_replies
from ywtb.portal.routes.shared import CHINA_TIME, local_time, path_id, refusal_errors
from ywtb.portal.web import CurrentPage, Page

INQUIRIES = "/api/v1/evaluation/inquiries"
BY_MOBILE = f"{INQUIRIES}/by-mobile"
MOBILE_CODES = "/api/v1/evaluation/mobile-codes"
ACTIONS = r"/inquiries(?:/([^/]+)/escalation)?"


def _optional(read: Any, *args: Any, **params: Any) -> Any:
    """A read the page can do without (None when it fails)."""
    try:
        return read(*args, **params)
    except GatewayError:
        return None


def about_choices(page: Page, chosen: str, signed_in: bool = True) -> dict[str, Any]:
    """What the ask form can be about: the item chosen (from its guide), the caller's cases (signed in), the
    departments of the catalogue (for complaints); (value, text) each."""
    item = None
    picked = parse_about(chosen) or {}
    if picked.get("item_id"):
        version = _optional(guide_version, page, picked["item_id"])
        if version:
            name, dept = version["guide"].get("name", ""), version.get("dept_name", "")
            item = (chosen, page.t("inquiry.form.item_option", item=name, dept=dept))
    if not signed_in:
        picked.pop("case_no", None)  # a case is its applicant's to complain about, signed in
    cases = _optional(page.get, "citizen", "/api/v1/cases/mine", page_size=PAGE_SIZE) if signed_in else None
    cases = cases or []
    case_choices = [
        (
            f"case:{c['case_no']}",
            page.t("inquiry.form.case_option", item=c.get("item_name", ""), case_no=c["case_no"]),
        )
        for c in cases
    ]
    if picked.get("case_no") and chosen not in dict(case_choices):
        case_choices.insert(0, (chosen, picked["case_no"]))
    depts = (_optional(catalogue, page) or {}).get("depts", [])
    return {
        "item": item,
        "cases": case_choices,
        "depts": [(f"dept:{d['tenant']}:{d['dept']}", d["name"]) for d in depts],
        "dept_names": {d["dept"]: d["name"] for d in depts},
    }


def inquiries_page(page: Page, status_code: int = 200, **extra: Any) -> Response:
    """我的咨询投诉 with the ask form; `extra`: the forms' `values`, `errors`, the escalation form `open_form`."""
    values = {**prefilled("", "", ""), **(extra.pop("values", None) or {})}
    try:
        mine = page.get("citizen", f"{INQUIRIES}/mine")
    except GatewayError as error:
        if error.status < 500:
            raise
        mine = None  # the form is still shown, with what was typed
    return page.render(
        "citizen/inquiries.html",
        status_code,
        **context(page, inquiries=mine, values=values, about=about_choices(page, values["about"]), **extra),
    )


def anonymous_page(page: Page, status_code: int = 200, **extra: Any) -> Response:
    """The ask form without an account (a mobile and its texted code); `extra`: `values`, `errors`, the
    code just sent (`code_sent`)."""
    values = {**prefilled("", "", ""), "mobile": "", "mobile_code": "", **(extra.pop("values", None) or {})}
    about = about_choices(page, values["about"], signed_in=False)
    return page.render(
        "citizen/inquiries.html",
        status_code,
        **context(page, anonymous=True, inquiries=None, values=values, about=about, **extra),
    )


def sms_tenant(page: Page, about: dict[str, str] | None) -> str:
    """The tenant whose name the code is texted in: the department's, the item's ("" for the platform's)."""
    about = about or {}
    if about.get("tenant") or not about.get("item_id"):
        return about.get("tenant", "")
    version = _optional(guide_version, page, about["item_id"]) or {}
    return str(version.get("tenant", ""))


def send_code(page: Page, values: dict[str, str]) -> Response:
    """Text a code to the typed mobile; the form again with what was typed, saying so (or why not)."""
    if bad := mobile_error(values["mobile"], page.t):
        return anonymous_page(page, 422, values=values, errors={"mobile": bad})
    mobile = digits(values["mobile"])
    body = {"mobile": mobile, "tenant": sms_tenant(page, parse_about(values["about"]))}
    try:
        sent = page.api(None, "POST", MOBILE_CODES, json=body)
    except GatewayError as error:  # too soon, ten today: next to the number; no SMS gateway: above the form
        message = error.field_errors().get("mobile") or page.message(error)
        errors = {"_form" if error.status >= 500 else "mobile": message}
        return anonymous_page(page, error.status, values=values, errors=errors)
    again = (sent or {}).get("resend_after")
    code_sent = {
        "to": mask_phone(mobile),
        "again": parse_instant(again).astimezone(CHINA_TIME).strftime("%H:%M:%S") if again else "",
    }
    return anonymous_page(page, values={**values, "mobile_code": ""}, code_sent=code_sent)


def ask_by_mobile(page: Page, values: dict[str, str]) -> Response:
    """Ask with the mobile and its code; the page showing the 查询码, once (it is the only key)."""
    body, errors = mobile_ask_body(values, page.t)
    if errors:
        return anonymous_page(page, 422, values=values, errors=errors)
    try:
        asked = page.api(None, "POST", BY_MOBILE, json=body)
    except GatewayError as error:  # a wrong code, refused texts, the service down: nothing typed lost
        errors = refusal_errors(page, error, ask_input)
        return anonymous_page(page, error.status, values=values, errors=errors)
    ref = str(asked.get("ref", ""))
    return page.render(
        "citizen/inquiry_asked.html",
        **context(
            page,
            inquiry=asked.get("inquiry") or {},
            ref=ref if REF.match(ref) else "",
            mobile=mask_phone(body["mobile"]),
        ),
    )


def replies_page(page: Page, query: str) -> Response:
    """公开答复: the published questions and answers with the words of `query` (anyone may read them)."""
    query = query.strip()
    if len(query) > MAX_QUERY:
        errors = {"query": page.t("inquiry.replies.query_long", n=MAX_QUERY)}
        ctx = context(page, values={"query": query}, errors=errors, replies=[])
        return page.render("citizen/replies.html", 422, **ctx)
    replies = find_replies(page, query)
    return page.render("citizen/replies.html", **context(page, values={"query": query}, replies=replies))


def build_inquiries_router() -> APIRouter:
    """/inquiries (我的咨询投诉; without an account the ask form with a mobile), POST /inquiries (asking, or
    without an account also 获取验证码) and /inquiries/{id}/escalation, /replies (公开答复), the 查询码 pages."""
    router = APIRouter()
    router.include_router(build_refs_router())

    @router.get("/inquiries")
    def mine(page: CurrentPage, kind: str = "", item_id: str = "", case_no: str = "") -> Response:
        if page.user("citizen") is None:
            return anonymous_page(page, values=prefilled(kind, item_id, case_no))
        draft = page.take_draft("citizen", ACTIONS)
        if draft is None:
            return inquiries_page(page, values=prefilled(kind, item_id, case_no))
        inquiry_id = draft.match.group(1)
        if inquiry_id:
            return inquiries_page(
                page, values=escalation_values(draft.form, inquiry_id), open_form=inquiry_id
            )
        return inquiries_page(page, values=ask_values(draft.form))

    @router.post("/inquiries")
    async def ask(page: CurrentPage) -> Response:
        form = await page.form()
        if page.user("citizen") is None:  # 获取验证码 posts the form too, to show it again as typed
            answer = send_code if form.get("send_code") == "yes" else ask_by_mobile
            return await run_in_threadpool(answer, page, mobile_values(form))
        values = ask_values(form)
        body, errors = ask_body(values, page.t)
        if errors:
            return await run_in_threadpool(inquiries_page, page, 422, values=values, errors=errors)
        try:
            asked = await run_in_threadpool(page.post, "citizen", INQUIRIES, body)
        except GatewayError as error:  # refused, or the service down: told above the form, nothing lost
            errors = refusal_errors(page, error, ask_input)
            return await run_in_threadpool(inquiries_page, page, error.status, values=values, errors=errors)
        dept = asked.get("dept_name") or page.t("inquiry.asked_dept")
        page.flash(page.t("inquiry.asked", dept=dept, due=local_time(asked.get("reply_due"), False)))
        anchor = f"#inquiry-{asked['id']}" if ID.match(str(asked.get("id", ""))) else ""
        return page.redirect(f"/inquiries{anchor}")

    @router.post("/inquiries/{inquiry_id}/escalation")
    async def escalate(page: CurrentPage, inquiry_id: str) -> Response:
        page.require("citizen")
        path = f"{INQUIRIES}/{path_id(inquiry_id, ID)}/escalation"
        form = await page.form()
        values = escalation_values(form, inquiry_id)
        reason = f"reason-{inquiry_id}"
        try:
            done = await run_in_threadpool(page.post, "citizen", path, {"reason": values[reason].strip()})
        except GatewayError as error:
            errors = refusal_errors(page, error, lambda name: reason if name == "reason" else "_form")
            return await run_in_threadpool(
                inquiries_page, page, error.status, values=values, errors=errors, open_form=inquiry_id
            )
        page.flash(page.t("inquiry.escalated", due=local_time(done.get("reply_due"), False)))
        return page.redirect(f"/inquiries#inquiry-{inquiry_id}")

    @router.get("/replies")
    def replies(page: CurrentPage, query: str = "") -> Response:
        return replies_page(page, query)

    return router
