"""在线申办: the application form (a JSON Schema, the applicant, uploads), SubmitCase, and an item's routes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
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
CLOSED = {"BUNDLE_ITEM_UNAVAILABLE"}  # refusals that close the form: the message is shown instead


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


def fetched_materials(page: Page, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The government-issued materials, each with the valid licences of its type the caller holds
    (一证通办: chosen on the form instead of waiting for the department to fetch it)."""
    fetched = [m for m in materials if labels.short_code("material_source", m.get("source")) == "GOVERNMENT"]
    if not any(m.get("licence_type") for m in fetched):
        return [{**m, "held": []} for m in fetched]
    try:
        mine = page.get("citizen", "/api/v1/licence/licences/mine")
    except GatewayError:
        mine = []
    valid = [x for x in mine if labels.short_code("licence_status", x.get("status")) == "VALID"]
    return [
        {**m, "held": [x for x in valid if m.get("licence_type") and x.get("type_name") == m["licence_type"]]}
        for m in fetched
    ]


def held_attachments(
    page: Page, form: dict[str, Any], fetched: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The chosen held licences attached as material files (MaterialSubmission JSON), or the form's errors."""
    chosen = [(m, str(form.get(f"held.{i}") or "")) for i, m in enumerate(fetched)]
    chosen = [(m, identifier) for m, identifier in chosen if identifier]
    if not chosen:
        return [], {}
    if not form.get("licence_consent"):
        return [], {"licence_consent": page.t("citizen.apply.licence_consent_needed")}
    submissions = []
    for material, identifier in chosen:
        body = {"identifier": identifier, "type_name": material.get("licence_type", ""), "consent": True}
        try:
            attached = page.post("citizen", "/api/v1/cases/materials/licence", body)
        except GatewayError as error:
            if error.status >= 500:
                raise
            return [], {"_form": page.message(error)}
        submissions.append({"material_name": material["name"], "file_ids": [attached["id"]]})
    return submissions, {}


def form_context(
    page: Page,
    user: dict[str, Any],
    *,
    schema: dict[str, Any] | None,
    materials: list[dict[str, Any]],
    objects: list[Any],
    **extra: Any,
) -> dict[str, Any]:
    """The application form of a form schema, a material list and the service objects (of an item or a bundle)."""
    kinds = {labels.short_code("service_object", o) for o in objects}
    agent = af.may_apply_for_legal_person(user)
    return context(
        page,
        fields=form_schema.schema_fields(schema),
        slots=form_schema.material_slots(materials),
        fetched=fetched_materials(page, materials),
        agent=agent and kinds != {"NATURAL_PERSON"},  # may apply for a legal person here
        legal_only=kinds == {"LEGAL_PERSON"},
        org_types=af.applicant_choices(page.lang),
        hint=form_schema.field_hint,
        **extra,
    )


def _apply_context(page: Page, version: dict[str, Any], user: dict[str, Any], **extra: Any) -> dict[str, Any]:
    guide = version["guide"]
    return form_context(
        page,
        user,
        schema=guide.get("form_schema"),
        materials=guide.get("materials", []),
        objects=guide.get("service_objects", []),
        version=version,
        guide=guide,
        **extra,
    )


def form_key(form: dict[str, Any]) -> str:
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


def show_form(page: Page, user: dict[str, Any], template: str, ctx: dict[str, Any]) -> Response:
    """The form first shown: a draft typed before the login had to be renewed, else the account's data
    (only the message when the form is closed)."""
    if ctx.get("closed"):
        return page.render(template, values={}, files={}, **ctx)
    draft = page.take_draft("citizen")
    if draft is not None:
        ctx["key"] = form_key(draft.form)
        typed = _typed(page, ctx, draft.form)[3]
        return page.render(template, values=typed, files=kept(draft.form, ctx["slots"]), **ctx)
    values: dict[str, Any] = {"applicant.kind": "legal" if ctx["legal_only"] and ctx["agent"] else "self"}
    values.update(_account(page, user))
    values["applicant.contact_name"] = user.get("name", "")
    return page.render(template, values=values, files={}, **ctx)


def _replayed(page: Page, key: str) -> Response | None:
    """The case of a form already submitted with this key (a second click, the back button)."""
    applied = page.session.get("applied", {})
    return page.redirect(f"/cases/{applied[key]}") if key in applied else None


Prepare = Callable[[str], tuple[dict[str, Any], dict[str, Any]]]  # key → (form context, what is applied for)


def submit(
    page: Page,
    template: str,
    form: dict[str, Any],
    chosen: Chosen,
    upload_errors: af.Errors,
    prepare: Prepare,
) -> Response:
    """Uploads, edge checks and SubmitCase (in the thread pool) for what `prepare` says: the item and its
    version, or the bundle code."""
    key = form_key(form)
    done = _replayed(page, key)
    if done is not None:
        return done
    ctx, target = prepare(key)
    if ctx.get("closed"):
        return page.render(template, 409, values={}, files={}, **ctx)
    with submit_lock(key):
        files, errors = upload_all(page, key, ctx["slots"], form, chosen)
        applicant, data, form_errors, values = _typed(page, ctx, form)
        errors = {**upload_errors, **errors, **form_errors}

        def again(status: int) -> Response:
            return page.render(template, status, errors=errors, values=values, files=files, **ctx)

        if errors:
            return again(422)
        held, held_errors = held_attachments(page, form, ctx["fetched"])
        if held_errors:
            errors.update(held_errors)
            values.update({k: v for k, v in form.items() if k.startswith("held.") or k == "licence_consent"})
            return again(422)
        body = {
            **target,
            "channel": "CHANNEL_ONLINE",
            "applicant": applicant.data,
            "form_data": data,
            "materials": af.material_submissions(ctx["slots"], files) + held,
        }
        try:
            case = page.api("citizen", "POST", "/api/v1/cases", json=body, headers={"Idempotency-Key": key})
        except GatewayError as error:
            if error.code == "IDEMPOTENCY_KEY_REUSED":
                errors["_form"] = page.t("citizen.apply.already_submitted")
                ctx["key"] = uuid.uuid4().hex
            elif error.code in CLOSED:
                ctx["closed"] = page.message(error)
            else:
                errors = refused(page, error, ctx["slots"], legal=applicant.legal)
            return again(error.status)
    case_no = case["case_no"]
    applied = page.session.get("applied", {})
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
        return show_form(page, user, "citizen/apply.html", ctx)

    @router.post("/items/{item_id}/apply")
    async def apply_submit(page: CurrentPage, item_id: str) -> Response:
        user = page.require("citizen")
        path_id(item_id, ITEM_ID)
        form = await page.form()
        version = await run_in_threadpool(guide_version, page, item_id, whole(form.get("item_version")))
        slots = form_schema.material_slots(version["guide"].get("materials", []))
        chosen, upload_errors = await read_uploads(page, form, slots)
        target = {"item_id": version["item_id"], "item_version": version["version"]}

        def prepare(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
            return _apply_context(page, version, user, key=key), target

        return await run_in_threadpool(
            submit, page, "citizen/apply.html", form, chosen, upload_errors, prepare
        )

    return router
