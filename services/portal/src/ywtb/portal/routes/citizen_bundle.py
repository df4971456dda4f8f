"""在线申办 of a 一件事 bundle (its merged form and materials, SubmitCase with bundle_code) and a bundle case's form."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal import form_schema
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_apply import form_context, show_form, submit
from ywtb.portal.routes.citizen_catalogue import bundle_of, guide_version
from ywtb.portal.routes.citizen_common import CASE_NO, parallel, read_uploads
from ywtb.portal.routes.shared import path_id
from ywtb.portal.web import CurrentPage, Page

TEMPLATE = "citizen/bundle_apply.html"


def _objects(bundle: dict[str, Any]) -> list[Any]:
    """The service objects every item serves (items without any do not restrict), as intake takes them."""
    objects: list[Any] = []
    for item in bundle.get("items", []):
        own = item.get("guide", {}).get("service_objects") or []
        if own:
            objects = [o for o in objects if o in own] if objects else list(own)
    return objects


def _context(page: Page, bundle: dict[str, Any], user: dict[str, Any], **extra: Any) -> dict[str, Any]:
    closed = bool(bundle.get("unavailable_item_ids")) or not bundle.get("items")
    return form_context(
        page,
        user,
        schema=form_schema.bundle_schema(bundle),
        materials=form_schema.bundle_materials(bundle),
        objects=_objects(bundle),
        bundle=bundle,
        item_names={i["item_id"]: i.get("guide", {}).get("name", "") for i in bundle.get("items", [])},
        closed=page.t("citizen.bundle.apply_closed") if closed else "",
        **extra,
    )


def case_version(page: Page, case: dict[str, Any]) -> dict[str, Any]:
    """The guide version a case was submitted under; for a 一件事 case, one made of its items' versions
    (their merged form) and the bundle's merged materials."""
    if not case.get("bundle_code"):
        return guide_version(page, case["item_id"], int(case.get("item_version") or 0))
    items = case.get("bundle_items", [])
    parts = parallel(
        partial(guide_version, page, i["item_id"], int(i.get("item_version") or 0)) for i in items
    )
    try:
        materials = form_schema.bundle_materials(bundle_of(page, case["bundle_code"]))
    except GatewayError:
        materials = []
    guide = {
        "name": case.get("item_name", ""),
        "form_schema": form_schema.bundle_schema({"items": [p for p in parts if p]}),
        "materials": materials,
    }
    return {"item_id": case["item_id"], "version": case.get("item_version"), "guide": guide}


def build_bundle_apply_router() -> APIRouter:
    """GET and POST /bundles/{code}/apply."""
    router = APIRouter()

    @router.get("/bundles/{code}/apply")
    def apply_form(page: CurrentPage, code: str) -> Response:
        user = page.require("citizen")
        ctx = _context(page, bundle_of(page, path_id(code, CASE_NO)), user, key=uuid.uuid4().hex)
        return show_form(page, user, TEMPLATE, ctx)

    @router.post("/bundles/{code}/apply")
    async def apply_submit(page: CurrentPage, code: str) -> Response:
        user = page.require("citizen")
        path_id(code, CASE_NO)
        form = await page.form()
        bundle = await run_in_threadpool(bundle_of, page, code)
        slots = form_schema.material_slots(form_schema.bundle_materials(bundle))
        chosen, upload_errors = await read_uploads(page, form, slots)

        def prepare(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
            return _context(page, bundle, user, key=key), {"bundle_code": bundle["code"]}

        return await run_in_threadpool(submit, page, TEMPLATE, form, chosen, upload_errors, prepare)

    return router
