"""发证台账 in the workbench: the department's licences searched by number, holder or case; 注销 with a reason,
and 变更 / 延续 (the next version, the previous one superseded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import REGISTER_ROLES
from ywtb.portal.routes.shared import LICENCE_ID, path_id, refusal_errors
from ywtb.portal.routes.workbench_common import PAGE_SIZE, optional, staff_user
from ywtb.portal.web import CurrentPage, Page

ISSUED = "/api/v1/licence/licences/issued"
STATUSES = ("LICENCE_STATUS_VALID", "LICENCE_STATUS_SUPERSEDED", "LICENCE_STATUS_REVOKED")
REVOKE_KINDS = (
    "REVOKE_KIND_ERROR",
    "REVOKE_KIND_PROMISE_FALSE",
    "REVOKE_KIND_HOLDER_REQUEST",
    "REVOKE_KIND_OTHER",
)
REISSUE_KINDS = ("REISSUE_KIND_CHANGE", "REISSUE_KIND_RENEW")
MAX_QUERY, MAX_OFFSET = 64, 100000
FIELD = "field."  # the prefix of a licence field's input name
ACTIONS = r"/workbench/licences/([^/]+)/(revocation|versions)"
FORBIDDEN = "workbench.licences.forbidden"


@dataclass(frozen=True)
class Search:
    """What the register is searched for: a prefix of number, holder or case; a status; the page's offset."""

    q: str = ""
    status: str = ""
    offset: int = 0

    @classmethod
    def of(cls, q: Any = "", status: Any = "", offset: Any = 0) -> Search:
        """A search from the query or a form's hidden fields, whatever was sent."""
        text = str(offset or "0")
        return cls(
            q=str(q or "").strip()[:MAX_QUERY],
            status=str(status or "") if status in STATUSES else "",
            offset=min(int(text), MAX_OFFSET) if text.isdigit() else 0,
        )

    def url(self) -> str:
        """The register's address showing this search."""
        query = urlencode({k: v for k, v in asdict(self).items() if v})
        return "/workbench/licences" + (f"?{query}" if query else "")


def form_key(identifier: str) -> str:
    """A licence's key in its forms' element ids and messages (the identifier without its dots)."""
    return identifier.replace(".", "-")


def open_form(identifier: str, action: str) -> str:
    """Which of a licence's forms to show open: "revoke-<key>" or "reissue-<key>"."""
    return f"{'revoke' if action == 'revocation' else 'reissue'}-{form_key(identifier)}"


def typed_values(form: dict[str, Any], identifier: str, action: str) -> dict[str, str]:
    """What was typed into a licence's revocation or versions form, under the names its inputs are shown with."""
    key = form_key(identifier)
    if action == "revocation":
        return {
            f"revoke_kind-{key}": str(form.get("kind") or ""),
            f"reason-{key}": str(form.get("reason") or ""),
        }
    typed = {f"field-{key}-{k.removeprefix(FIELD)}": str(v) for k, v in form.items() if k.startswith(FIELD)}
    return {f"reissue_kind-{key}": str(form.get("kind") or ""), **typed}


def changed_values(form: dict[str, Any], current: dict[str, str]) -> dict[str, str]:
    """The licence fields whose posted value differs from the current version's (a new version names only those)."""
    posted = {k.removeprefix(FIELD): str(v).strip() for k, v in form.items() if k.startswith(FIELD)}
    return {k: v for k, v in posted.items() if v != str(current.get(k, "")).strip()}


def _renamer(identifier: str, names: dict[str, str]) -> Callable[[str], str]:
    """The gateway's field names → a licence form's (its values as a whole for `values.x`)."""
    key = form_key(identifier)
    return lambda name: f"{names.get(name.split('.')[0].split('[')[0], 'values')}-{key}"


def _types(page: Page, licences: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The licence type (with its fields) of each licence that may get a new version, by code."""
    codes = {
        x["type_code"] for x in licences if x.get("status") == "LICENCE_STATUS_VALID" and x.get("type_code")
    }
    found = {code: optional(page, f"/api/v1/licence/types/{path_id(code)}") for code in sorted(codes)}
    return {code: kind for code, kind in found.items() if kind}


def register_page(page: Page, search: Search, status_code: int = 200, **extra: Any) -> Response:
    """The register showing `search`; `extra` opens one licence's form with its messages and values."""
    licences = page.get(
        "staff", ISSUED, q=search.q, status=search.status, page_size=PAGE_SIZE, offset=search.offset
    )
    for licence in licences:
        licence["key"] = form_key(licence["identifier"])
    return page.render(
        "workbench/licences.html",
        status_code,
        nav_current="licences",
        licences=licences,
        types=_types(page, licences),
        search=search,
        statuses=STATUSES,
        revoke_kinds=REVOKE_KINDS,
        reissue_kinds=REISSUE_KINDS,
        page_size=PAGE_SIZE,
        **extra,
    )


def _current_fields(page: Page, identifier: str, licence_no: str) -> dict[str, str]:
    """The fields of the licence version as the register holds it ({} when it is not found there)."""
    versions = page.get("staff", ISSUED, q=licence_no[:MAX_QUERY], page_size=PAGE_SIZE) if licence_no else []
    return next((dict(x.get("fields") or {}) for x in versions if x["identifier"] == identifier), {})


async def _refused(
    page: Page, search: Search, identifier: str, action: str, form: dict[str, Any], errors: dict, status: int
) -> Response:
    """The register again with the licence's form open, its messages and what was typed."""
    values = typed_values(form, identifier, action)
    opened = open_form(identifier, action)
    return await run_in_threadpool(
        register_page, page, search, status, errors=errors, values=values, open_form=opened
    )


def build_licences_router() -> APIRouter:
    """/licences (the register), POST /licences/{identifier}/revocation and /licences/{identifier}/versions."""
    router = APIRouter()

    @router.get("/licences")
    def register(page: CurrentPage, q: str = "", status: str = "", offset: str = "0") -> Response:
        staff_user(page, REGISTER_ROLES, FORBIDDEN)
        search = Search.of(q, status, offset)
        draft = page.take_draft("staff", ACTIONS)
        if draft is None:
            return register_page(page, search)
        identifier, action = draft.match.groups()
        values = typed_values(draft.form, identifier, action)
        opened = open_form(identifier, action)
        return register_page(page, search, values=values, open_form=opened)

    @router.post("/licences/{identifier}/revocation")
    async def revoke(page: CurrentPage, identifier: str) -> Response:
        staff_user(page, REGISTER_ROLES, FORBIDDEN)
        path = f"/api/v1/licence/licences/{path_id(identifier, LICENCE_ID)}/revocation"
        form = await page.form()
        search = Search.of(form.get("q"), form.get("status"), form.get("offset"))
        kind = str(form.get("kind") or "")
        if kind not in REVOKE_KINDS:
            errors = {
                f"revoke_kind-{form_key(identifier)}": page.t("workbench.licences.revoke_kind_required")
            }
            return await _refused(page, search, identifier, "revocation", form, errors, 422)
        body = {"kind": kind, "reason": str(form.get("reason") or "").strip()}
        try:
            licence = await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            errors = refusal_errors(
                page, error, _renamer(identifier, {"kind": "revoke_kind", "reason": "reason"})
            )
            return await _refused(page, search, identifier, "revocation", form, errors, error.status)
        page.flash(page.t("workbench.licences.revoked", name=licence["type_name"], no=licence["licence_no"]))
        return page.redirect(search.url())

    @router.post("/licences/{identifier}/versions")
    async def reissue(page: CurrentPage, identifier: str) -> Response:
        staff_user(page, REGISTER_ROLES, FORBIDDEN)
        path = f"/api/v1/licence/licences/{path_id(identifier, LICENCE_ID)}/versions"
        form = await page.form()
        search = Search.of(form.get("q"), form.get("status"), form.get("offset"))
        kind = str(form.get("kind") or "")
        if kind not in REISSUE_KINDS:
            errors = {
                f"reissue_kind-{form_key(identifier)}": page.t("workbench.licences.reissue_kind_required")
            }
            return await _refused(page, search, identifier, "versions", form, errors, 422)
        try:
            current = await run_in_threadpool(
                _current_fields, page, identifier, str(form.get("licence_no") or "")
            )
            body = {"kind": kind, "values": changed_values(form, current)}
            licence = await run_in_threadpool(page.post, "staff", path, body)
        except GatewayError as error:
            if error.status == 401 or error.status >= 500:
                raise
            errors = refusal_errors(page, error, _renamer(identifier, {"kind": "reissue_kind"}))
            return await _refused(page, search, identifier, "versions", form, errors, error.status)
        done = page.t(
            "workbench.licences.reissued",
            kind=page.t(f"workbench.licences.kind.{kind}"),
            name=licence["type_name"],
            no=licence["licence_no"],
            version=licence["version"],
        )
        page.flash(done)
        return page.redirect(search.url())

    return router
