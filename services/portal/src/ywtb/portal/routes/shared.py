"""What the pages of every area share: ids in paths, page numbers, times, the gateway's field messages,
files streamed through from the gateway."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from datetime import timedelta, timezone
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse
from starlette.exceptions import HTTPException

from ywtb.portal.deadline import parse_instant
from ywtb.portal.gateway import GatewayError
from ywtb.portal.web import Area, Page

CHINA_TIME = timezone(timedelta(hours=8))
SAFE_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")
LICENCE_ID = re.compile(r"^[0-9A-Za-z.]{20,120}$")  # a licence identifier (GB/T 36904)
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def path_id(value: str, pattern: re.Pattern[str] = SAFE_ID) -> str:
    """A case number, item, task or file id as a path segment of the gateway (else the not-found page)."""
    if not pattern.match(value) or value.strip(".") == "":
        raise HTTPException(404)
    return quote(value, safe="")


def page_number(text: str | None, last: int) -> int:
    """A page number from the query: 1 when missing or not a number, at most `last`."""
    return max(1, min(int(text), last)) if text and text.isdigit() else 1


def local_time(value: str | None, with_time: bool = True) -> str:
    """An RFC 3339 instant of the gateway in China time, "2026-10-08 09:30" (or the date); "" when empty."""
    if not value:
        return ""
    try:
        moment = parse_instant(value)
    except ValueError:
        return value
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def refusal_errors(
    page: Page, error: GatewayError, name: Mapping[str, str] | Callable[[str], str] | None = None
) -> dict[str, str]:
    """The gateway's field messages under the form's input names (`name` maps the gateway's field
    names); its message on "_form" when it names no field."""
    rename = name if callable(name) else (lambda key: (name or {}).get(key, key))
    return {rename(key): message for key, message in error.field_errors().items()} or {
        "_form": page.message(error)
    }


def attachment(file_name: str) -> str:
    """A Content-Disposition of a download named `file_name`: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    name = UNSAFE_IN_NAMES.sub("_", file_name).strip() or "download"
    fallback = "".join(c if c.isascii() and c.isprintable() else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


DOWNLOAD_HEADERS = ("content-length", "x-content-type-options", "etag")


def proxied_file(page: Page, area: Area, path: str, *, attachment: bool) -> Response:
    """A file of the gateway streamed through as the user of `area` (inline, or as an attachment)."""
    stack = ExitStack()
    try:
        upstream = stack.enter_context(page.gateway.download(path, page.token(area)))
    except GatewayError as error:
        stack.close()
        if error.status == 401:
            raise page.login_expired(area) from error
        raise

    def body() -> Iterator[bytes]:
        with stack:
            yield from upstream.iter_raw()

    headers = {name: upstream.headers[name] for name in DOWNLOAD_HEADERS if name in upstream.headers}
    disposition = upstream.headers.get("content-disposition", "inline")
    if attachment:
        disposition = "attachment" + disposition.removeprefix("inline")
    headers["Content-Disposition"] = disposition
    headers["Cache-Control"] = "private, no-store"
    return StreamingResponse(
        body(), media_type=upstream.headers.get("content-type", "application/octet-stream"), headers=headers
    )
