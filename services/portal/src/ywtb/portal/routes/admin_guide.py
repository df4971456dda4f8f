"""Editing an item's guide (办事指南编辑) and submitting it for review (上报)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.guide_form import (
    ROWS,
    form_to_guide,
    guide_to_form,
    normalise,
    service_errors,
    with_blank_rows,
)
from ywtb.portal.routes.admin_common import admin_user, common
from ywtb.portal.routes.admin_items import permissions
from ywtb.portal.web import CurrentPage, Page

ADD_ACTIONS = {f"add_{section}": section for section in ROWS}


def edit_page(
    page: Page,
    user: dict[str, Any],
    item: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    add: str = "",
) -> HTMLResponse:
    """The guide form with the values (blank rows added under each list) and the field messages."""
    shown, rows = with_blank_rows(values, add)
    return page.render(
        "admin/guide_edit.html",
        status,
        item=item,
        values=shown,
        rows=rows,
        errors=errors or {},
        can=permissions(user, item),
        **common(page, user),
    )


def stored_values(item: dict[str, Any]) -> dict[str, Any]:
    """The form values of an item's working draft."""
    return {**guide_to_form(item["guide"], item.get("keywords", "")), "revision": str(item["revision"])}


def _revision(values: dict[str, Any]) -> int:
    text = str(values.get("revision") or "0")
    return int(text) if text.isdigit() else 0


def _rules_failed(page: Page, error: GatewayError) -> dict[str, str]:
    errors = service_errors(error.field_errors())
    errors["_form"] = page.t("admin.guide.not_submitted", message=page.message(error))
    return errors


def _submitted(page: Page, reply: dict[str, Any]) -> None:
    page.flash(page.t("admin.guide.submitted"))
    for warning in reply.get("warnings") or []:
        page.flash(page.t("admin.guide.warning", message=warning), "info")


def build_admin_guide_router() -> APIRouter:
    """/items/{id}/edit (GET, POST) and /items/{id}/submit."""
    router = APIRouter()

    @router.get("/items/{item_id}/edit", response_class=HTMLResponse)
    def edit(page: CurrentPage, item_id: str) -> Response:
        user = admin_user(page)
        item = page.get("staff", f"/api/v1/catalog/items/{item_id}")
        if not permissions(user, item)["edit"]:
            page.flash(page.t("admin.guide.not_editable"), "info")
            return page.redirect(f"/admin/items/{item_id}")
        draft = page.take_draft("staff")
        return edit_page(page, user, item, normalise(draft.form) if draft else stored_values(item))

    @router.post("/items/{item_id}/edit", response_class=HTMLResponse)
    async def save(page: CurrentPage, item_id: str) -> Response:
        user = admin_user(page)
        form = await page.form()
        action = str(form.get("_action") or "save")
        values = normalise(form)
        item = await run_in_threadpool(page.get, "staff", f"/api/v1/catalog/items/{item_id}")
        if action in ADD_ACTIONS:
            return edit_page(page, user, item, values, add=ADD_ACTIONS[action])
        guide, keywords, errors = form_to_guide(values, page.t)
        if errors:
            return edit_page(page, user, item, values, errors, 422)
        body = {"guide": guide, "keywords": keywords, "expected_revision": _revision(values)}
        try:
            item = await run_in_threadpool(
                page.api, "staff", "PUT", f"/api/v1/catalog/items/{item_id}/guide", json=body
            )
        except GatewayError as error:
            errors = service_errors(error.field_errors())
            errors["_form"] = page.message(error)
            return edit_page(page, user, item, values, errors, error.status)
        values["revision"] = str(item["revision"])
        if action != "submit":
            page.flash(page.t("admin.guide.saved"))
            return page.redirect(f"/admin/items/{item_id}")
        try:
            reply = await run_in_threadpool(page.post, "staff", f"/api/v1/catalog/items/{item_id}/submit")
        except GatewayError as error:
            return edit_page(page, user, item, values, _rules_failed(page, error), error.status)
        _submitted(page, reply)
        return page.redirect(f"/admin/items/{item_id}")

    @router.post("/items/{item_id}/submit", response_class=HTMLResponse)
    async def submit(page: CurrentPage, item_id: str) -> Response:
        user = admin_user(page)
        await page.form()
        try:
            reply = await run_in_threadpool(page.post, "staff", f"/api/v1/catalog/items/{item_id}/submit")
        except GatewayError as error:
            if not error.fields:
                page.flash(page.message(error), "error")
                return page.redirect(f"/admin/items/{item_id}")
            try:
                item = await run_in_threadpool(page.get, "staff", f"/api/v1/catalog/items/{item_id}")
            except GatewayError as failed:
                return page.failure(failed)
            return edit_page(page, user, item, stored_values(item), _rules_failed(page, error), error.status)
        _submitted(page, reply)
        return page.redirect(f"/admin/items/{item_id}")

    return router
