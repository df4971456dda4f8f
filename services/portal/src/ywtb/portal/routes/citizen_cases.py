"""The citizen's cases: my cases, a case with its timeline, and answering a correction notice (补正)."""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal import application_form as af
from ywtb.portal import form_schema, labels
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_bundle import case_version
from ywtb.portal.routes.citizen_common import (
    CASE_NO,
    PAGE_SIZE,
    Chosen,
    View,
    context,
    kept,
    parallel,
    read_uploads,
    refused,
    submit_lock,
    upload_all,
)
from ywtb.portal.routes.citizen_rating_reads import rating_context
from ywtb.portal.routes.rating_forms import draft_values
from ywtb.portal.routes.shared import page_number, path_id
from ywtb.portal.web import CurrentPage, Page

MY_CASE_STATUSES = ("submitted", "correction_requested", "accepted", "rejected")
LAST_CASES_PAGE = 1000
# the forms of the case page whose drafts it takes: 补正, a rating, a rectification's confirmation
CASE_FORMS = r"/cases/{case}/(supplement|ratings)|/ratings/rectifications/([^/]+)/confirmation"


def _timeline(page: Page, case: dict[str, Any]) -> dict[str, Any] | None:
    """Approval's view of an accepted case (None before acceptance or when it is not yet there)."""
    if labels.short_code("case_status", case.get("status")) != "ACCEPTED":
        return None
    try:
        return page.get("citizen", f"/api/v1/cases/{case['case_no']}/timeline")
    except GatewayError:
        return None


def _orders(page: Page, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's payment orders (none before acceptance or while the payment service cannot answer)."""
    if labels.short_code("case_status", case.get("status")) != "ACCEPTED":
        return []
    try:
        found: list[dict[str, Any]] = page.get("citizen", f"/api/v1/payment/cases/{case['case_no']}/orders")
    except GatewayError:
        return []
    return found


def _fee_entries(page: Page, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A timeline entry per order waiting for payment or paid."""
    entries = []
    for order in orders:
        amount = View.yuan(order.get("total_fen"))
        if order.get("status") == "ORDER_STATUS_PAID":
            entries.append(
                {
                    "title": page.t("citizen.timeline.fee_paid", amount=amount),
                    "at": order.get("paid_at"),
                    "done": True,
                }
            )
        elif order.get("status") == "ORDER_STATUS_NOTIFIED":
            entries.append(
                {"title": page.t("citizen.timeline.fee_due", amount=amount), "at": None, "done": False}
            )
    return entries


def timeline_entries(
    page: Page,
    case: dict[str, Any],
    approval: dict[str, Any] | None,
    orders: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Intake's facts (submitted, corrections, acceptance or rejection), approval's steps and the fees."""
    t, lb = page.t, labels.Labels(page.lang)
    entries = [{"title": t("citizen.timeline.submitted"), "at": case.get("submitted_at"), "done": True}]
    rounds = int(case.get("correction_round") or 0)
    status = labels.short_code("case_status", case.get("status"))
    if rounds and case.get("received_at") != case.get("submitted_at"):
        entries.append(
            {
                "title": t("citizen.timeline.resubmitted", n=rounds),
                "at": case.get("received_at"),
                "done": True,
            }
        )
    if status == "CORRECTION_REQUESTED":
        entries.append(
            {
                "title": t("citizen.timeline.correction", n=rounds),
                "at": None,
                "done": False,
                "note": t("citizen.timeline.correction_note"),
            }
        )
    if status == "SUBMITTED":
        entries.append({"title": t("citizen.timeline.waiting"), "at": None, "done": False})
    if status == "REJECTED":
        entries.append(
            {
                "title": lb.case_status("REJECTED"),
                "at": case.get("rejected_at"),
                "done": True,
                "note": case.get("reject_reason"),
            }
        )
    if status == "ACCEPTED":
        mode = lb("acceptance_mode", case.get("acceptance_mode"))
        entries.append(
            {
                "title": t("citizen.timeline.accepted", mode=mode),
                "at": case.get("accepted_at"),
                "done": True,
                "note": case.get("opinion"),
            }
        )
    for entry in (approval or {}).get("entries", []):
        decision = labels.label(page.lang, "decision", entry.get("decision"))
        entries.append(
            {
                "title": entry.get("title", ""),
                "at": entry.get("completed_at") or entry.get("started_at"),
                "done": not entry.get("in_progress"),
                "handler": entry.get("handler", ""),
                "note": View(page.lang).colon.join(p for p in (decision, entry.get("opinion", "")) if p),
            }
        )
    for stop in (approval or {}).get("clock_stops", []):
        entries.append(
            {
                "title": t("citizen.timeline.special", kind=stop.get("kind", "")),
                "at": stop.get("started_at"),
                "done": bool(stop.get("ended_at")),
                "note": stop.get("reason", ""),
            }
        )
    entries += _fee_entries(page, orders or [])
    return sorted(entries, key=lambda e: (e["at"] is None, e["at"] or ""))  # clock stops fall in place


def _supplement_context(page: Page, case: dict[str, Any], version: dict[str, Any] | None) -> dict[str, Any]:
    """The correction form: a file input per material the notice names, the form when a field is named."""
    materials = (version or {}).get("guide", {}).get("materials", [])
    slots = form_schema.material_slots(materials)
    named = {d.get("subject", "") for d in case.get("deficiencies", [])}
    asked = [s for s in slots if s.title in named]
    fields = form_schema.schema_fields((version or {}).get("guide", {}).get("form_schema"))
    labels_named = {f.label for f in fields} | {f.key for f in fields}
    form_named = bool(named & labels_named) or bool(
        named - {s.title for s in slots} - {m.get("name") for m in materials}
    )
    return {"asked": asked, "form_fields": fields if form_named else []}


def case_page(page: Page, case_no: str, status: int = 200, **extra: Any) -> Response:
    """The case page; `values` and `files` re-fill the correction form, `typed` a draft of it;
    `rating_values`, `rating_errors` and `rating_open` the 评价 section's forms."""
    case = page.get("citizen", f"/api/v1/cases/{case_no}")
    approval = _timeline(page, case)
    orders = _orders(page, case)
    try:
        version = case_version(page, case)
    except GatewayError:
        version = None
    given = {m.get("material_name"): len(m.get("file_ids", [])) for m in case.get("materials", [])}
    supplement = _supplement_context(page, case, version)
    values = extra.pop("values", None)
    typed = extra.pop("typed", None)
    if typed is not None:
        values = af.parse_form(page.lang, supplement["form_fields"], typed)[2]
        extra["files"] = kept(typed, supplement["asked"])
    if values is None:
        values = form_schema.form_values(supplement["form_fields"], case.get("form_data") or {})
    return page.render(
        "citizen/case.html",
        status,
        **context(
            page,
            case=case,
            approval=approval,
            version=version,
            item_names={i["item_id"]: i["name"] for i in case.get("bundle_items", [])},
            given=given,
            orders=orders,
            entries=timeline_entries(page, case, approval, orders),
            form_rows=form_schema.form_rows(
                page.lang,
                form_schema.schema_fields((version or {}).get("guide", {}).get("form_schema")),
                case.get("form_data") or {},
            ),
            hint=form_schema.field_hint,
            values=values,
            files=extra.pop("files", {}),
            **rating_context(page, case, approval),
            **supplement,
            **extra,
        ),
    )


def _supplement(
    page: Page, case_no: str, form: dict[str, Any], chosen: Chosen, upload_errors: af.Errors
) -> Response:
    """The 补正 POST work, in the thread pool: uploads, edge checks, SupplementCase."""
    case = page.get("citizen", f"/api/v1/cases/{case_no}")
    if labels.short_code("case_status", case.get("status")) != "CORRECTION_REQUESTED":
        page.flash(page.t("citizen.supplement.not_open"), "info")
        return page.redirect(f"/cases/{case_no}")
    version = case_version(page, case)
    ctx = _supplement_context(page, case, version)
    key = f"supplement:{case_no}:{case.get('correction_round')}"
    with submit_lock(key):
        files, errors = upload_all(page, key, ctx["asked"], form, chosen)
        data, form_errors, values = af.parse_form(page.lang, ctx["form_fields"], form)
        errors = {**upload_errors, **errors, **form_errors}
        missing = [s for s in ctx["asked"] if not files.get(s.index) and s.name not in errors]
        for slot in missing:
            errors[slot.name] = page.t("citizen.supplement.need_file", name=slot.title)
        if errors:
            return case_page(page, case_no, 422, errors=errors, values=values, files=files)
        body: dict[str, Any] = {"materials": af.material_submissions(ctx["asked"], files)}
        if ctx["form_fields"]:
            body["form_data"] = data
        try:
            page.post("citizen", f"/api/v1/cases/{case_no}/supplement", body)
        except GatewayError as error:
            fresh = page.get("citizen", f"/api/v1/cases/{case_no}")
            if labels.short_code("case_status", fresh.get("status")) != "CORRECTION_REQUESTED":
                page.flash(page.t("citizen.supplement.done"))  # a repeated submit: the first one went through
                return page.redirect(f"/cases/{case_no}")
            errors = refused(page, error, ctx["asked"], legal=False)
            return case_page(page, case_no, error.status, errors=errors, values=values, files=files)
    page.flash(page.t("citizen.supplement.done"))
    return page.redirect(f"/cases/{case_no}")


def _my_cases(
    page: Page, status: str, offset: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
    cases = page.get("citizen", "/api/v1/cases/mine", status=status, page_size=PAGE_SIZE + 1, offset=offset)
    page.token("citizen")  # refreshed here once, not by the parallel reads below
    shown = cases[:PAGE_SIZE]
    approvals = parallel(partial(_timeline, page, c) for c in shown)
    return cases, approvals


def build_cases_router() -> APIRouter:
    """/cases, /cases/{case_no} and its POST /supplement."""
    router = APIRouter()

    @router.get("/cases")
    def my_cases(
        page: CurrentPage, status: str = "", page_no: Annotated[str, Query(alias="page")] = ""
    ) -> Response:
        page.require("citizen")
        status = status if status in MY_CASE_STATUSES else ""
        number = page_number(page_no, LAST_CASES_PAGE)
        cases, approvals = _my_cases(page, status, (number - 1) * PAGE_SIZE)
        rows = list(zip(cases[:PAGE_SIZE], approvals, strict=True))
        return page.render(
            "citizen/cases.html",
            **context(
                page,
                rows=rows,
                status=status,
                page_no=number,
                more=len(cases) > PAGE_SIZE,
                statuses=MY_CASE_STATUSES,
            ),
        )

    @router.get("/cases/{case_no}")
    def case_detail(page: CurrentPage, case_no: str) -> Response:
        page.require("citizen")
        path_id(case_no, CASE_NO)
        draft = page.take_draft("citizen", CASE_FORMS.format(case=re.escape(case_no)))
        if draft is None or draft.match.group(1) == "supplement":
            return case_page(page, case_no, typed=draft.form if draft else None)
        return case_page(page, case_no, **draft_values(draft.form, draft.match.group(2)))

    @router.post("/cases/{case_no}/supplement")
    async def supplement(page: CurrentPage, case_no: str) -> Response:
        page.require("citizen")
        path_id(case_no, CASE_NO)
        form = await page.form()
        case = await run_in_threadpool(page.get, "citizen", f"/api/v1/cases/{case_no}")
        version = await run_in_threadpool(case_version, page, case)
        slots = form_schema.material_slots(version["guide"].get("materials", []))
        chosen, upload_errors = await read_uploads(page, form, slots)
        return await run_in_threadpool(_supplement, page, case_no, form, chosen, upload_errors)

    return router
