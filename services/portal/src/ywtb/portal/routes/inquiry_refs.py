"""查询码 of 咨询投诉 asked without an account: the public page of the inquiry with its answer (/inquiries/ref/<ref>,
opened from the answer's text or the page that showed the code) and the form where one types the code. The code
is the only key to the inquiry: it is kept out of the logs (ywtb.portal.hidden_keys) and posted, never put in
a query string."""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_catalogue import catalogue
from ywtb.portal.routes.citizen_common import context
from ywtb.portal.routes.inquiry_forms import REF
from ywtb.portal.web import CurrentPage, Page

BY_REF = "/api/v1/evaluation/inquiries/by-ref"
LOOKUP = "/inquiries/ref"


def ref_page(
    page: Page, status_code: int = 200, inquiry: dict[str, Any] | None = None, **extra: Any
) -> Response:
    """The inquiry of a 查询码 with its answer, or (`inquiry` None) the form asking for the code; `extra`: the
    form's `values` and `errors`."""
    names: dict[str, str] = {}
    if inquiry and not inquiry.get("dept_name"):  # a complaint about a department: named by the catalogue
        with suppress(GatewayError):
            names = {d["dept"]: d["name"] for d in catalogue(page).get("depts", [])}
    ctx = context(page, inquiry=inquiry, dept_names=names, **extra)
    return page.render("citizen/inquiry_ref.html", status_code, **ctx)


def typed_ref(typed: str) -> str:
    """A 查询码 as typed or pasted (full-width letters as half-width, without spaces)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", typed))


def build_refs_router() -> APIRouter:
    """GET and POST /inquiries/ref, GET /inquiries/ref/{ref}."""
    router = APIRouter()

    @router.get(LOOKUP)
    def lookup(page: CurrentPage) -> Response:
        return ref_page(page)

    @router.post(LOOKUP)
    async def find(page: CurrentPage) -> Response:
        form = await page.form()
        posted = form.get("ref")
        typed = posted if isinstance(posted, str) else ""
        ref = typed_ref(typed)
        if not REF.match(ref):
            errors = {"ref": page.t("inquiry.ref.bad")}
            return ref_page(page, 422, values={"ref": typed}, errors=errors)
        return page.redirect(f"{LOOKUP}/{ref}")

    @router.get(LOOKUP + "/{ref}")
    def inquiry(page: CurrentPage, ref: str) -> Response:
        if not REF.match(ref):
            return ref_page(page, 404, values={"ref": ref}, errors={"ref": page.t("inquiry.ref.unknown")})
        try:
            found = page.get(None, f"{BY_REF}/{ref}")
        except GatewayError as error:  # unknown: the form again; the service down: said above it
            where = "ref" if error.status == 404 else "_form"
            return ref_page(page, error.status, values={"ref": ref}, errors={where: page.message(error)})
        return ref_page(page, inquiry=found)

    return router
