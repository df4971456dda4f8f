"""我的证照 and 证照核验: the holder's wallet with its files and W3C credentials, and verification open to anyone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import segno
from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ywtb.portal.deadline import parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_common import context
from ywtb.portal.routes.shared import LICENCE_ID, attachment, local_time, path_id, proxied_file
from ywtb.portal.web import CurrentPage, Page

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
QR_MAX = 300
MAX_LICENCE_FILE = 5 * 1024 * 1024
VC_MEDIA_TYPE = (
    "application/vc"  # VC Data Model 2.0's media type of a credential (secured by an embedded proof)
)


def _verify_page(
    page: Page, answer: dict[str, Any] | None = None, error: str = "", status: int = 200, **given: Any
) -> Response:
    return page.render("citizen/verify.html", status, **context(page, answer=answer, error=error, **given))


def _verified(page: Page, call: Any, **given: Any) -> Response:
    try:
        answer = call()
    except GatewayError as failure:
        return _verify_page(page, error=page.message(failure), status=failure.status, **given)
    return _verify_page(page, answer, **given)


def _share_page(page: Page, identifier: str, minutes: int) -> Response:
    """A new 亮证 link of the licence: its QR code, when it closes, and every view so far."""
    body = {"minutes": minutes} if minutes else {}
    share = page.post("citizen", f"/api/v1/licence/licences/{identifier}/shares", body)
    views = page.get("citizen", f"/api/v1/licence/licences/{identifier}/shares/views")
    licence: dict[str, Any] = next(
        (x for x in page.get("citizen", "/api/v1/licence/licences/mine") if x["identifier"] == identifier), {}
    )
    link = str(page.request.base_url).rstrip("/") + f"/s/{share['token']}"
    qr_svg = segno.make(link, error="m").svg_inline(scale=5, omitsize=True, title=page.t("licence.share.qr"))
    shown = share_minutes(share["expires_at"])
    return page.render(
        "citizen/share.html",
        **context(
            page,
            licence=licence,
            link=link,
            qr_svg=qr_svg,
            expires_at=share["expires_at"],
            minutes=shown,
            views=views,
            v_time=local_time,
        ),
    )


def share_minutes(expires_at: str) -> int:
    """Whole minutes until a link closes."""
    left = parse_instant(expires_at) - datetime.now(UTC)
    return max(0, round(left.total_seconds() / 60))


def credential_file_name(credential: dict[str, Any]) -> str:
    """The download name of a licence's credential: <licence name>-<licence number>.vc.json."""
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    parts = [str(subject.get(k) or "") for k in ("licenceTypeName", "licenceNumber")]
    return "-".join(p for p in parts if p) + ".vc.json" if any(parts) else "licence.vc.json"


def credential_download(credential: dict[str, Any]) -> Response:
    """The credential as a JSON-LD file to save (its proof is over the canonical RDF, not these bytes)."""
    body = json.dumps(credential, ensure_ascii=False, indent=2).encode()
    headers = {"Content-Disposition": attachment(credential_file_name(credential))}
    headers["Cache-Control"] = "private, no-store"
    return Response(body, media_type=VC_MEDIA_TYPE, headers=headers)


def build_licences_router() -> APIRouter:
    """/licences (the wallet), its files and credentials, and /verify (GET by identifier or QR, POST a file)."""
    router = APIRouter()

    @router.get("/licences")
    def my_licences(page: CurrentPage) -> Response:
        page.require("citizen")
        licences = page.get("citizen", "/api/v1/licence/licences/mine")
        return page.render("citizen/licences.html", **context(page, licences=licences))

    @router.get("/licences/{identifier}/file")
    def licence_file(page: CurrentPage, identifier: str) -> Response:
        page.require("citizen")
        path = f"/api/v1/licence/licences/{path_id(identifier, LICENCE_ID)}/file"
        return proxied_file(page, "citizen", path, attachment=True)

    @router.get("/licences/{identifier}/credential")
    def licence_credential(page: CurrentPage, identifier: str) -> Response:
        page.require("citizen")
        path = f"/api/v1/licence/licences/{path_id(identifier, LICENCE_ID)}/credential"
        return credential_download(page.get("citizen", path))

    @router.post("/licences/{identifier}/share")
    async def share(page: CurrentPage, identifier: str) -> Response:
        page.require("citizen")
        path_id(identifier, LICENCE_ID)
        form = await page.form()
        minutes = int(form.get("minutes") or 0) if str(form.get("minutes") or "0").isdigit() else 0
        return await run_in_threadpool(_share_page, page, identifier, minutes)

    @router.get("/s/{token}")
    def shared(page: CurrentPage, token: str) -> Response:
        path_id(token, TOKEN)
        try:
            reply = page.get(None, f"/api/v1/licence/shares/{token}")
        except GatewayError as failure:
            context_ = context(page, error=page.message(failure), v_time=local_time)
            return page.render("citizen/shared.html", failure.status, **context_)
        return page.render(
            "citizen/shared.html",
            **context(page, answer=reply["verification"], expires_at=reply["expires_at"], v_time=local_time),
        )

    @router.get("/verify")
    def verify(page: CurrentPage, identifier: str = "", qr: str = "") -> Response:
        identifier, qr = identifier.strip(), qr.strip()
        if qr:
            if len(qr) > QR_MAX:
                return _verify_page(
                    page, error=page.t("licence.verify.qr_too_long"), status=422, qr=qr[:QR_MAX]
                )
            return _verified(
                page, lambda: page.get(None, "/api/v1/licence/licences/verification", qr=qr), qr=qr
            )
        if identifier:
            if not LICENCE_ID.match(identifier):
                return _verify_page(
                    page, error=page.t("licence.verify.malformed"), status=422, identifier=identifier
                )
            path = f"/api/v1/licence/licences/{identifier}/verification"
            return _verified(page, lambda: page.get(None, path), identifier=identifier)
        return _verify_page(page)

    @router.post("/verify")
    async def verify_file(page: CurrentPage) -> Response:
        form = await page.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _verify_page(page, error=page.t("licence.verify.no_file"), status=422)
        content = await upload.read(MAX_LICENCE_FILE + 1)
        if not content:
            return _verify_page(page, error=page.t("licence.verify.no_file"), status=422)
        if len(content) > MAX_LICENCE_FILE:
            return _verify_page(page, error=page.t("licence.verify.too_large"), status=413)
        files = {"file": (upload.filename or "licence.pdf", content, "application/pdf")}
        path = "/api/v1/licence/licences/verification/file"
        return await run_in_threadpool(_verified, page, lambda: page.api(None, "POST", path, files=files))

    return router
