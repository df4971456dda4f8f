"""The public citizen pages: home with the categories, search (with its 问答知识库), 一件事 bundles and the
办事指南 (guide)."""

from __future__ import annotations

import re
import time
from collections import Counter, OrderedDict
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_common import CASE_NO, ITEM_ID, PAGE_SIZE, context, parallel, remember, whole
from ywtb.portal.routes.knowledge_base import faq_entries, knowledge
from ywtb.portal.routes.shared import page_number, path_id
from ywtb.portal.web import CurrentPage, Page

CATALOGUE_TTL_S = 300
OBJECTS = ("natural_person", "legal_person")
DEPTHS = ("4", "6", "7")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
LAST_SEARCH_PAGE = 500

_guides: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()  # published versions never change
_catalogue: dict[str, Any] = {"at": 0.0, "data": None}


def guide_version(page: Page, item_id: str, version: int = 0) -> dict[str, Any]:
    """A published guide version (0 = the live one); versions are immutable, so kept in memory."""
    if version and (item_id, version) in _guides:
        return _guides[(item_id, version)]
    found = page.get(None, f"/api/v1/catalog/items/{item_id}/guide", version=version or None)
    remember(_guides, (item_id, found["version"]), found, 1000)
    return found


def guides_of(page: Page, hits: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The guide of each search hit (for promised time, visits, case type)."""
    return parallel(partial(guide_version, page, h["item_id"], h["version"]) for h in hits)


def catalogue(page: Page) -> dict[str, Any]:
    """Themes, departments, bundles and FAQs of every published item (refreshed every few minutes)."""
    data = _catalogue["data"]
    if data is not None and time.monotonic() - _catalogue["at"] < CATALOGUE_TTL_S:
        return data
    hits: list[dict[str, Any]] = []
    while True:
        reply = page.get(None, "/api/v1/catalog/search", page_size=100, offset=len(hits))
        hits += reply.get("hits", [])
        if not reply.get("hits") or len(hits) >= int(reply.get("total", 0)) or len(hits) >= 2000:
            break
    guides = guides_of(page, hits)
    themes: Counter[str] = Counter()
    depts: dict[str, dict[str, Any]] = {}
    for hit, found in zip(hits, guides, strict=True):
        themes.update((found or {}).get("guide", {}).get("themes", []))
        dept = depts.setdefault(hit["dept"], {"dept": hit["dept"], "name": hit["dept_name"], "count": 0})
        dept["count"] += 1
        dept["tenant"] = hit["tenant"]
    tenants = sorted({hit["tenant"] for hit in hits}, reverse=True)
    listed = [b for group in parallel(partial(_bundles, page, t) for t in tenants) for b in group or []]
    bundles = [b for b in parallel(partial(bundle_of, page, b["code"]) for b in listed) if b]
    popular = [
        (hit, found)
        for hit, found in zip(hits, guides, strict=True)
        if found and found["guide"].get("visits", 0) == 0 and hit.get("online_depth", 0) >= 6
    ]
    data = {
        "total": len(hits),
        "themes": themes.most_common(),
        "depts": sorted(depts.values(), key=lambda d: (-d["count"], d["name"])),
        "bundles": bundles,
        "popular": popular[:8],
        "faqs": faq_entries(hits, guides),  # the 问答知识库's FAQs
    }
    _catalogue.update(at=time.monotonic(), data=data)
    return data


def _bundles(page: Page, tenant: str) -> list[dict[str, Any]]:
    return page.get(None, "/api/v1/catalog/bundles", tenant=tenant)


def bundle_of(page: Page, code: str) -> dict[str, Any]:
    """A 一件事 bundle: the live versions of its items, the merged materials, the unavailable items."""
    return page.get(None, f"/api/v1/catalog/bundles/{code}")


def legal_basis(page: Page, version: dict[str, Any]) -> str:
    """The implementation's legal basis, else the basic item's (设定依据)."""
    text = version["guide"].get("legal_basis", "")
    if text or not version.get("basic_code"):
        return text
    try:
        return page.get(None, f"/api/v1/catalog/basic-items/{version['basic_code']}").get("legal_basis", "")
    except GatewayError:
        return ""


def _search_filters(
    page: Page, q: str, object_: str, theme: str, dept: str, depth: str, page_no: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The search parameters checked at the edge; messages for the bad ones."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "q": q.strip(),
        "object": object_,
        "theme": theme.strip(),
        "dept": dept.strip(),
        "depth": depth,
    }
    if len(values["q"]) > 100:
        errors["q"] = page.t("citizen.search.bad_q")
    if object_ and object_ not in OBJECTS:
        errors["object"] = page.t("citizen.search.bad_object")
    if len(values["theme"]) > 50:
        errors["theme"] = page.t("citizen.search.bad_theme")
    if values["dept"] and not CREDIT_CODE.match(values["dept"]):
        errors["dept"] = page.t("citizen.search.bad_dept")
    if depth and depth not in DEPTHS:
        errors["depth"] = page.t("citizen.search.bad_depth")
    values["page"] = page_number(page_no, LAST_SEARCH_PAGE)  # a bad page number: the first
    return values, errors


def build_catalogue_router() -> APIRouter:
    """/, /search, /bundles, /bundles/{code}, /items/{id}."""
    router = APIRouter()

    @router.get("/")
    def home(page: CurrentPage) -> Response:
        return page.render("citizen/home.html", **context(page, cat=catalogue(page)))

    @router.get("/search")
    def search(
        page: CurrentPage,
        q: str = "",
        object_: Annotated[str, Query(alias="object")] = "",
        theme: str = "",
        dept: str = "",
        depth: str = "",
        page_no: Annotated[str, Query(alias="page")] = "",
    ) -> Response:
        values, errors = _search_filters(page, q, object_, theme, dept, depth, page_no)
        cat = catalogue(page)
        ctx = context(page, cat=cat, values=values, errors=errors, hits=[], total=0)
        if errors:
            return page.render("citizen/search.html", 422, **ctx)
        reply = page.get(
            None,
            "/api/v1/catalog/search",
            q=values["q"],
            service_object=values["object"],
            theme=values["theme"],
            dept=values["dept"],
            min_online_depth=values["depth"] or None,
            page_size=PAGE_SIZE,
            offset=(values["page"] - 1) * PAGE_SIZE,
        )
        hits = reply.get("hits", [])
        guides = guides_of(page, hits)
        ctx.update(hits=list(zip(hits, guides, strict=True)), total=int(reply.get("total", 0)))
        ctx["kb"] = knowledge(page, values["q"], faq_entries(hits, guides), cat.get("faqs", []))
        ctx["dept_name"] = next(
            (d["name"] for d in cat["depts"] if d["dept"] == values["dept"]), values["dept"]
        )
        return page.render("citizen/search.html", **ctx)

    @router.get("/bundles")
    def bundles(page: CurrentPage) -> Response:
        return page.render("citizen/bundles.html", **context(page, cat=catalogue(page)))

    @router.get("/bundles/{code}")
    def bundle(page: CurrentPage, code: str) -> Response:
        found = bundle_of(page, path_id(code, CASE_NO))
        return page.render("citizen/bundle.html", **context(page, bundle=found))

    @router.get("/items/{item_id}")
    def guide(page: CurrentPage, item_id: str, version: str = "") -> Response:
        found = guide_version(page, path_id(item_id, ITEM_ID), whole(version))
        return page.render(
            "citizen/guide.html",
            **context(page, version=found, guide=found["guide"], legal_basis=legal_basis(page, found)),
        )

    return router
