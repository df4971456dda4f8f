"""The citizen pages: home, search, 一件事, 办事指南, online application, my cases, case detail and 补正."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ywtb.portal import application_form as af
from ywtb.portal import labels
from ywtb.portal.gateway import GatewayError
from ywtb.portal.web import CurrentPage, Page

CHINA = dt.timezone(dt.timedelta(hours=8))
PAGE_SIZE = 20
CATALOGUE_TTL_S = 300
OBJECTS = ("natural_person", "legal_person")
DEPTHS = ("4", "6", "7")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
IDEMPOTENCY_KEY = re.compile(r"^[0-9a-f]{32}$")
CASE_NO = re.compile(r"^[0-9A-Za-z-]{6,64}$")
ITEM_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
URL = re.compile(r"^https?://", re.IGNORECASE)
MY_CASE_STATUSES = ("submitted", "correction_requested", "accepted", "rejected")

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="citizen-reads")
_guides: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()  # published versions never change
_catalogue: dict[str, Any] = {"at": 0.0, "data": None}
_cache_lock = threading.Lock()
# one submission per idempotency key at a time; a repeated submit reuses the files the first one uploaded
_submit_locks: OrderedDict[str, threading.Lock] = OrderedDict()
_uploads: OrderedDict[tuple[str, int, str], af.KeptFile] = OrderedDict()


# -- small helpers shared by the templates


class View:
    """Formatting helpers for the citizen templates (`v.time(...)`, `v.is_url(...)`, `v.colon`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        english = lang == "en"
        self.colon = ": " if english else "："
        self.sep = ", " if english else "、"

    def paren(self, text: str) -> str:
        """Text in brackets of the page's language."""
        return f" ({text})" if self.lang == "en" else f"（{text}）"

    @staticmethod
    def time(value: str | None, with_time: bool = True) -> str:
        """An RFC 3339 timestamp in China time ("2026-01-31 14:05")."""
        if not value:
            return ""
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(CHINA)
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")

    @staticmethod
    def is_url(value: str | None) -> bool:
        """A http(s) link (else a file name or a description)."""
        return bool(value and URL.match(value.strip()))

    @staticmethod
    def query(**params: Any) -> str:
        """A query string of the non-empty parameters."""
        return urlencode({k: v for k, v in params.items() if v not in (None, "", 0)})


def _context(page: Page, **extra: Any) -> dict[str, Any]:
    return {"labels": labels.Labels(page.lang), "v": View(page.lang), **extra}


def _remember(cache: OrderedDict, key: Any, value: Any, limit: int) -> None:
    with _cache_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


# -- catalogue reads (public)


def guide_version(page: Page, item_id: str, version: int = 0) -> dict[str, Any]:
    """A published guide version (0 = the live one); versions are immutable, so kept in memory."""
    if version and (item_id, version) in _guides:
        return _guides[(item_id, version)]
    found = page.get(None, f"/api/v1/catalog/items/{item_id}/guide", version=version or None)
    _remember(_guides, (item_id, found["version"]), found, 1000)
    return found


def _parallel(calls: Iterable[Callable[[], Any]]) -> list[Any]:
    """Run independent reads side by side; a failed read gives None."""

    def safe(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except GatewayError:
            return None

    return list(_pool.map(safe, list(calls)))


def guides_of(page: Page, hits: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The guide of each search hit (for promised time, visits, case type)."""
    return _parallel(lambda h=h: guide_version(page, h["item_id"], h["version"]) for h in hits)


def catalogue(page: Page) -> dict[str, Any]:
    """Themes, departments and bundles of every published item (refreshed every few minutes)."""
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
    listed = [b for group in _parallel(lambda t=t: _bundles(page, t) for t in tenants) for b in group or []]
    bundles = [b for b in _parallel(lambda b=b: _bundle(page, b["code"]) for b in listed) if b]
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
    }
    _catalogue.update(at=time.monotonic(), data=data)
    return data


def _bundles(page: Page, tenant: str) -> list[dict[str, Any]]:
    return page.get(None, "/api/v1/catalog/bundles", tenant=tenant)


def _bundle(page: Page, code: str) -> dict[str, Any]:
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


# -- the application form


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
    return _context(
        page,
        version=version,
        guide=guide,
        fields=af.schema_fields(guide.get("form_schema")),
        slots=af.material_slots(guide.get("materials", [])),
        fetched=[
            m
            for m in guide.get("materials", [])
            if labels.short_code("material_source", m.get("source")) == "GOVERNMENT"
        ],
        agent=agent and objects != {"NATURAL_PERSON"},  # may apply for a legal person here
        legal_only=objects == {"LEGAL_PERSON"},
        org_types=af.applicant_choices(page.lang),
        hint=af.field_hint,
        **extra,
    )


def _submit_lock(key: str) -> threading.Lock:
    with _cache_lock:
        lock = _submit_locks.get(key) or threading.Lock()
        _submit_locks[key] = lock
        _submit_locks.move_to_end(key)
        while len(_submit_locks) > 500:
            _submit_locks.popitem(last=False)
    return lock


async def _read_uploads(
    page: Page, form: dict[str, Any], slots: list[af.MaterialSlot]
) -> tuple[dict[int, list[tuple[str, bytes]]], af.Errors]:
    """The chosen files' names and contents per slot; size checked at the edge."""
    chosen: dict[int, list[tuple[str, bytes]]] = {}
    errors: af.Errors = {}
    for slot in slots:
        for upload in af.chosen_uploads(form, slot):
            content = await upload.read(af.MAX_UPLOAD_BYTES + 1)
            if not content:
                errors[slot.name] = page.t("citizen.upload.empty", name=upload.filename)
            elif len(content) > af.MAX_UPLOAD_BYTES:
                errors[slot.name] = page.t("citizen.upload.too_large", name=upload.filename)
            else:
                chosen.setdefault(slot.index, []).append((upload.filename, content))
    return chosen, errors


def _upload_all(
    page: Page,
    key: str,
    slots: list[af.MaterialSlot],
    form: dict[str, Any],
    chosen: dict[int, list[tuple[str, bytes]]],
) -> tuple[dict[int, list[af.KeptFile]], af.Errors]:
    """Upload the chosen files (they replace the slot's earlier ones); the files of every slot and messages."""
    files: dict[int, list[af.KeptFile]] = {}
    errors: af.Errors = {}
    for slot in slots:
        files[slot.index] = af.kept_files(form, slot)
        if slot.index not in chosen:
            continue
        uploaded = []
        for name, content in chosen[slot.index]:
            cache_key = (key, slot.index, hashlib.sha256(content).hexdigest())
            done = _uploads.get(cache_key)
            if done is None:
                try:
                    reply = page.api(
                        "citizen", "POST", "/api/v1/cases/materials", files={"file": (name, content)}
                    )
                except GatewayError as error:
                    errors[slot.name] = error.field_errors().get("file") or page.message(error)
                    continue
                done = af.KeptFile(reply["id"], reply.get("file_name") or name)
                _remember(_uploads, cache_key, done, 2000)
            uploaded.append(done)
        if uploaded:
            files[slot.index] = uploaded
    return files, errors


def _apply(
    page: Page,
    user: dict[str, Any],
    item_id: str,
    form: dict[str, Any],
    chosen: dict,
    upload_errors: af.Errors,
) -> Response:
    """The application's POST work, in the thread pool: uploads, edge checks, SubmitCase."""
    key = str(form.get("idempotency_key", ""))
    if not IDEMPOTENCY_KEY.match(key):
        key = uuid.uuid4().hex
    applied = page.session.get("applied", {})
    if key in applied:
        return page.redirect(f"/cases/{applied[key]}")
    try:
        item_version = int(str(form.get("item_version", "0")))
    except ValueError:
        item_version = 0
    version = guide_version(page, item_id, item_version)
    ctx = _apply_context(page, version, user, key=key)
    with _submit_lock(key):
        files, errors = _upload_all(page, key, ctx["slots"], form, chosen)
        errors = {**upload_errors, **errors}
        applicant = af.parse_applicant(page.lang, form, agent=ctx["agent"])
        data, form_errors, values = af.parse_form(page.lang, ctx["fields"], form)
        errors.update(applicant.errors)
        errors.update(form_errors)
        values.update(applicant.values)

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
            errors.update(af.map_gateway_fields(error.field_errors(), ctx["slots"], legal=applicant.legal))
            if not errors or set(errors) == {"_form"}:
                errors["_form"] = page.message(error)
            return again(error.status)
    case_no = case["case_no"]
    page.session["applied"] = dict(list(applied.items())[-19:]) | {key: case_no}
    page.flash(page.t("citizen.apply.done", case_no=case_no))
    if labels.short_code("case_status", case.get("status")) == "CORRECTION_REQUESTED":
        page.flash(page.t("citizen.apply.done_with_notice"), "info")
    return page.redirect(f"/cases/{case_no}")


# -- cases


def _timeline(page: Page, case: dict[str, Any]) -> dict[str, Any] | None:
    """Approval's view of an accepted case (None before acceptance or when it is not yet there)."""
    if labels.short_code("case_status", case.get("status")) != "ACCEPTED":
        return None
    try:
        return page.get("citizen", f"/api/v1/cases/{case['case_no']}/timeline")
    except GatewayError:
        return None


def timeline_entries(
    page: Page, case: dict[str, Any], approval: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Intake's facts (submitted, corrections, acceptance or rejection) followed by approval's steps."""
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
        decision = labels.decision(page.lang, entry.get("decision"))
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
    return sorted(entries, key=lambda e: (e["at"] is None, e["at"] or ""))  # clock stops fall in place


def _supplement_context(page: Page, case: dict[str, Any], version: dict[str, Any] | None) -> dict[str, Any]:
    """The correction form: a file input per material the notice names, the form when a field is named."""
    materials = (version or {}).get("guide", {}).get("materials", [])
    slots = af.material_slots(materials)
    named = {d.get("subject", "") for d in case.get("deficiencies", [])}
    asked = [s for s in slots if s.title in named]
    fields = af.schema_fields((version or {}).get("guide", {}).get("form_schema"))
    labels_named = {f.label for f in fields} | {f.key for f in fields}
    form_named = bool(named & labels_named) or bool(
        named - {s.title for s in slots} - {m.get("name") for m in materials}
    )
    return {"asked": asked, "form_fields": fields if form_named else []}


def _case_page(page: Page, case_no: str, status: int = 200, **extra: Any) -> Response:
    case = page.get("citizen", f"/api/v1/cases/{case_no}")
    approval = _timeline(page, case)
    try:
        version = guide_version(page, case["item_id"], int(case.get("item_version") or 0))
    except GatewayError:
        version = None
    given = {m.get("material_name"): len(m.get("file_ids", [])) for m in case.get("materials", [])}
    supplement = _supplement_context(page, case, version)
    values = extra.pop("values", None)
    if values is None:
        values = af.form_values(supplement["form_fields"], case.get("form_data") or {})
    return page.render(
        "citizen/case.html",
        status,
        **_context(
            page,
            case=case,
            approval=approval,
            version=version,
            given=given,
            entries=timeline_entries(page, case, approval),
            form_rows=af.form_rows(
                page.lang,
                af.schema_fields((version or {}).get("guide", {}).get("form_schema")),
                case.get("form_data") or {},
            ),
            hint=af.field_hint,
            values=values,
            files=extra.pop("files", {}),
            **supplement,
            **extra,
        ),
    )


def _supplement(
    page: Page, case_no: str, form: dict[str, Any], chosen: dict, upload_errors: af.Errors
) -> Response:
    """The 补正 POST work, in the thread pool: uploads, edge checks, SupplementCase."""
    case = page.get("citizen", f"/api/v1/cases/{case_no}")
    if labels.short_code("case_status", case.get("status")) != "CORRECTION_REQUESTED":
        page.flash(page.t("citizen.supplement.not_open"), "info")
        return page.redirect(f"/cases/{case_no}")
    version = guide_version(page, case["item_id"], int(case.get("item_version") or 0))
    ctx = _supplement_context(page, case, version)
    key = f"supplement:{case_no}:{case.get('correction_round')}"
    with _submit_lock(key):
        files, errors = _upload_all(page, key, ctx["asked"], form, chosen)
        errors = {**upload_errors, **errors}
        data, form_errors, values = af.parse_form(page.lang, ctx["form_fields"], form)
        errors.update(form_errors)
        missing = [s for s in ctx["asked"] if not files.get(s.index) and s.name not in errors]
        for slot in missing:
            errors[slot.name] = page.t("citizen.supplement.need_file", name=slot.title)
        if errors:
            return _case_page(page, case_no, 422, errors=errors, values=values, files=files)
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
            errors.update(af.map_gateway_fields(error.field_errors(), ctx["asked"], legal=False))
            if not errors or set(errors) == {"_form"}:
                errors["_form"] = page.message(error)
            return _case_page(page, case_no, error.status, errors=errors, values=values, files=files)
    page.flash(page.t("citizen.supplement.done"))
    return page.redirect(f"/cases/{case_no}")


def _my_cases(
    page: Page, status: str, offset: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
    cases = page.get("citizen", "/api/v1/cases/mine", status=status, page_size=PAGE_SIZE + 1, offset=offset)
    page.token("citizen")  # refreshed here once, not by the parallel reads below
    shown = cases[:PAGE_SIZE]
    approvals = _parallel(lambda c=c: _timeline(page, c) for c in shown)
    return cases, approvals


# -- search


def _search_filters(
    page: Page, q: str, object_: str, theme: str, dept: str, depth: str, page_no: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The search parameters checked at the edge; messages for the bad ones."""
    errors: dict[str, str] = {}
    values = {"q": q.strip(), "object": object_, "theme": theme.strip(), "dept": dept.strip(), "depth": depth}
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
    values["page"] = max(
        1, min(int(page_no) if page_no.isdigit() else 1, 500)
    )  # a bad page number: the first
    return values, errors


def build_citizen_router() -> APIRouter:
    """The citizen pages."""
    router = APIRouter()

    @router.get("/")
    def home(page: CurrentPage) -> Response:
        return page.render("citizen/home.html", **_context(page, cat=catalogue(page)))

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
        ctx = _context(page, cat=cat, values=values, errors=errors, hits=[], total=0)
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
        ctx.update(hits=list(zip(hits, guides_of(page, hits), strict=True)), total=int(reply.get("total", 0)))
        ctx["dept_name"] = next(
            (d["name"] for d in cat["depts"] if d["dept"] == values["dept"]), values["dept"]
        )
        return page.render("citizen/search.html", **ctx)

    @router.get("/bundles")
    def bundles(page: CurrentPage) -> Response:
        return page.render("citizen/bundles.html", **_context(page, cat=catalogue(page)))

    @router.get("/bundles/{code}")
    def bundle(page: CurrentPage, code: str) -> Response:
        found = page.get(None, f"/api/v1/catalog/bundles/{_checked(CASE_NO, code)}")
        return page.render("citizen/bundle.html", **_context(page, bundle=found))

    @router.get("/items/{item_id}")
    def guide(page: CurrentPage, item_id: str, version: str = "") -> Response:
        found = guide_version(page, _checked(ITEM_ID, item_id), _int(version))
        return page.render(
            "citizen/guide.html",
            **_context(page, version=found, guide=found["guide"], legal_basis=legal_basis(page, found)),
        )

    @router.get("/items/{item_id}/apply")
    def apply_form(page: CurrentPage, item_id: str) -> Response:
        user = page.require("citizen")
        version = guide_version(page, _checked(ITEM_ID, item_id))
        ctx = _apply_context(page, version, user, key=uuid.uuid4().hex)
        values: dict[str, Any] = {"applicant.kind": "legal" if ctx["legal_only"] and ctx["agent"] else "self"}
        values.update(_account(page, user))
        values["applicant.contact_name"] = user.get("name", "")
        return page.render("citizen/apply.html", values=values, files={}, **ctx)

    @router.post("/items/{item_id}/apply")
    async def apply_submit(page: CurrentPage, item_id: str) -> Response:
        user = page.require("citizen")
        _checked(ITEM_ID, item_id)
        form = await page.form()
        version = await run_in_threadpool(guide_version, page, item_id, _int(form.get("item_version")))
        slots = af.material_slots(version["guide"].get("materials", []))
        chosen, upload_errors = await _read_uploads(page, form, slots)
        return await run_in_threadpool(_apply, page, user, item_id, form, chosen, upload_errors)

    @router.get("/cases")
    def my_cases(
        page: CurrentPage, status: str = "", page_no: Annotated[str, Query(alias="page")] = ""
    ) -> Response:
        page.require("citizen")
        status = status if status in MY_CASE_STATUSES else ""
        number = int(page_no) if page_no.isdigit() and 0 < int(page_no) <= 1000 else 1
        cases, approvals = _my_cases(page, status, (number - 1) * PAGE_SIZE)
        rows = list(zip(cases[:PAGE_SIZE], approvals, strict=True))
        return page.render(
            "citizen/cases.html",
            **_context(
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
        return _case_page(page, _checked(CASE_NO, case_no))

    @router.post("/cases/{case_no}/supplement")
    async def supplement(page: CurrentPage, case_no: str) -> Response:
        page.require("citizen")
        _checked(CASE_NO, case_no)
        form = await page.form()
        case = await run_in_threadpool(page.get, "citizen", f"/api/v1/cases/{case_no}")
        version = await run_in_threadpool(
            guide_version, page, case["item_id"], int(case.get("item_version") or 0)
        )
        slots = af.material_slots(version["guide"].get("materials", []))
        chosen, upload_errors = await _read_uploads(page, form, slots)
        return await run_in_threadpool(_supplement, page, case_no, form, chosen, upload_errors)

    return router


def _checked(pattern: re.Pattern[str], value: str) -> str:
    """A path parameter of the expected shape, else the not-found page."""
    if not pattern.match(value):
        raise HTTPException(404)
    return value


def _int(value: Any) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0
