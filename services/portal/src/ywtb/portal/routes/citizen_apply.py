"""在线申办: the application form of an item (its JSON Schema, the applicant, uploads) and SubmitCase."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal import application_form as af
from ywtb.portal import form_schema, labels
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_catalogue import guide_version
from ywtb.portal.routes.citizen_common import (
    ITEM_ID,
    Chosen,
    context,
    kept,
    read_uploads,
    refused,
    submit_lock,
    upload_all,
    whole,
)
from ywtb.portal.routes.shared import path_id
from ywtb.portal.web import CurrentPage, Page

IDEMPOTENCY_KEY = re.compile(r"^[0-9a-f]{32}$")


def _account(page: Page, user: dict[str, Any]) -> dict[str, str]:
    """The signed-in person's name and ID number (the applicant when applying for oneself)."""
    try:
        person = page.get("citizen", f"/api/v1/persons/{user['subject']}")
    except GatewayError:
        return {"applicant.name": user.get("name", "")}
    return {
        "applicant.name": person.get("name") or user.get("name", ""),
        "applicant.id_number": person.get("id_number", ""),
    }


def _apply_context(page: Page, version: dict[str, Any], user: dict[str, Any], **extra: Any) -> dict[str, Any]:
    guide = version["guide"]
    objects = {labels.short_code("service_object", o) for o in guide.get("service_objects", [])}
    agent = af.may_apply_for_legal_person(user)
    return context(
        page,
        version=version,
        guide=guide,
        fields=form_schema.schema_fields(guide.get("form_schema")),
        slots=form_schema.material_slots(guide.get("materials", [])),
        fetched=[
            m
            for m in guide.get("materials", [])
            if labels.short_code("material_source", m.get("source")) == "GOVERNMENT"
        ],
        agent=agent and objects != {"NATURAL_PERSON"},  # may apply for a legal person here
        legal_only=objects == {"LEGAL_PERSON"},
        org_types=af.applicant_choices(page.lang),
        hint=form_schema.field_hint,
        **extra,
    )


def _key(form: dict[str, Any]) -> str:
    """The form's idempotency key, a new one when it has none."""
    key = str(form.get("idempotency_key", ""))
    return key if IDEMPOTENCY_KEY.match(key) else uuid.uuid4().hex


def _typed(
    page: Page, ctx: dict[str, Any], form: dict[str, Any]
) -> tuple[af.Applicant, dict[str, Any], af.Errors, dict[str, Any]]:
    """The posted applicant and schema inputs: (applicant, form_data, messages, values to re-fill)."""
    applicant = af.parse_applicant(page.lang, form, agent=ctx["agent"])
    data, errors, values = af.parse_form(page.lang, ctx["fields"], form)
    return applicant, data, {**applicant.errors, **errors}, {**values, **applicant.values}


def _apply(
    page: Page,
    user: dict[str, Any],
    item_id: str,
    form: dict[str, Any],
    chosen: Chosen,
    upload_errors: af.Errors,
) -> Response:
    """The application's POST work, in the thread pool: uploads, edge checks, SubmitCase."""
    key = _key(form)
    applied = page.session.get("applied", {})
    if key in applied:
        return page.redirect(f"/cases/{applied[key]}")
    version = guide_version(page, item_id, whole(form.get("item_version")))
    ctx = _apply_context(page, version, user, key=key)
    with submit_lock(key):
        files, errors = upload_all(page, key, ctx["slots"], form, chosen)
        applicant, data, form_errors, values = _typed(page, ctx, form)
        errors = {**upload_errors, **errors, **form_errors}

        def again(status: int) -> Response:
            return page.render("citizen/apply.html", status, errors=errors, values=values, files=files, **ctx)

        if errors:
            return again(422)
        body = {
            "item_id": version["item_id"],
            "item_version": version["version"],
            "channel": "CHANNEL_ONLINE",
            "applicant": applicant.data,
            "form_data": data,
            "materials": af.material_submissions(ctx["slots"], files),
        }
        try:
            case = page.api("citizen", "POST", "/api/v1/cases", json=body, headers={"Idempotency-Key": key})
        except GatewayError as error:
            if error.code == "IDEMPOTENCY_KEY_REUSED":
                errors["_form"] = page.t("citizen.apply.already_submitted")
                ctx["key"] = uuid.uuid4().hex
                return again(error.status)
            errors = refused(page, error, ctx["slots"], legal=applicant.legal)
            return again(error.status)
    case_no = case["case_no"]
    page.session["applied"] = dict(list(applied.items())[-19:]) | {key: case_no}
    page.flash(page.t("citizen.apply.done", case_no=case_no))
    if labels.short_code("case_status", case.get("status")) == "CORRECTION_REQUESTED":
        page.flash(page.t("citizen.apply.done_with_notice"), "info")
    return page.redirect(f"/cases/{case_no}")


def build_apply_router() -> APIRouter:
    """GET and POST /items/{id}/apply."""
    router = APIRouter()

    @router.get("/items/{item_id}/apply")
    def apply_form(page: CurrentPage, item_id: str) -> Response:
        user = page.require("citizen")
        version = guide_version(page, path_id(item_id, ITEM_ID))
        ctx = _apply_context(page, version, user, key=uuid.uuid4().hex)
        draft = page.take_draft("citizen")
        if draft is not None:  # typed before the login had to be renewed
            ctx["key"] = _key(draft.form)
            typed = _typed(page, ctx, draft.form)[3]
            return page.render(
                "citizen/apply.html", values=typed, files=kept(draft.form, ctx["slots"]), **ctx
            )
        values: dict[str, Any] = {"applicant.kind": "legal" if ctx["legal_only"] and ctx["agent"] else "self"}
        values.update(_account(page, user))
        values["applicant.contact_name"] = user.get("name", "")
        return page.render("citizen/apply.html", values=values, files={}, **ctx)

    @router.post("/items/{item_id}/apply")
    async def apply_submit(page: CurrentPage, item_id: str) -> Response:
        user = page.require("citizen")
        path_id(item_id, ITEM_ID)
        form = await page.form()
        version = await run_in_threadpool(guide_version, page, item_id, whole(form.get("item_version")))
        slots = form_schema.material_slots(version["guide"].get("materials", []))
        chosen, upload_errors = await read_uploads(page, form, slots)
        return await run_in_threadpool(_apply, page, user, item_id, form, chosen, upload_errors)

    return router
