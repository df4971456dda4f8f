"""What the citizen pages share: template helpers, small caches, parallel reads, uploads of the forms."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from ywtb.common.money import yuan
from ywtb.portal import application_form as af
from ywtb.portal import labels
from ywtb.portal.form_schema import MaterialSlot
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.shared import local_time
from ywtb.portal.web import Page

PAGE_SIZE = 20
CASE_NO = re.compile(r"^[0-9A-Za-z-]{6,64}$")
ITEM_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
URL = re.compile(r"^https?://", re.IGNORECASE)

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="citizen-reads")
_cache_lock = threading.Lock()
# one submission per key at a time; a repeated submit reuses the files the first one uploaded
_submit_locks: OrderedDict[str, threading.Lock] = OrderedDict()
_uploads: OrderedDict[tuple[str, int, str], af.KeptFile] = OrderedDict()

Chosen = dict[int, list[tuple[str, bytes]]]  # slot index → (file name, content) of the chosen files


class View:
    """Formatting helpers for the citizen templates (`v.time(...)`, `v.is_url(...)`, `v.colon`)."""

    time = staticmethod(local_time)

    def __init__(self, lang: str) -> None:
        self.lang = lang
        english = lang == "en"
        self.colon = ": " if english else "："
        self.sep = ", " if english else "、"

    def paren(self, text: str) -> str:
        """Text in brackets of the page's language."""
        return f" ({text})" if self.lang == "en" else f"（{text}）"

    @staticmethod
    def is_url(value: str | None) -> bool:
        """A http(s) link (else a file name or a description)."""
        return bool(value and URL.match(value.strip()))

    yuan = staticmethod(yuan)

    @staticmethod
    def query(**params: Any) -> str:
        """A query string of the non-empty parameters."""
        return urlencode({k: v for k, v in params.items() if v not in (None, "", 0)})


def context(page: Page, **extra: Any) -> dict[str, Any]:
    """What every citizen template gets: labels and the view helpers."""
    return {"labels": labels.Labels(page.lang), "v": View(page.lang), **extra}


def remember(cache: OrderedDict, key: Any, value: Any, limit: int) -> None:
    """Put `value` in a bounded in-memory cache (the oldest entries leave first)."""
    with _cache_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


def parallel(calls: Iterable[Callable[[], Any]]) -> list[Any]:
    """Run independent reads side by side; a failed read gives None."""

    def safe(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except GatewayError:
            return None

    return list(_pool.map(safe, list(calls)))


def whole(value: Any) -> int:
    """A non-negative whole number from a query or form value (0 when it is none)."""
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


# -- the files of the application and correction forms


def submit_lock(key: str) -> threading.Lock:
    """The lock of one submission (an idempotency key, a correction round)."""
    with _cache_lock:
        lock = _submit_locks.get(key) or threading.Lock()
        _submit_locks[key] = lock
        _submit_locks.move_to_end(key)
        while len(_submit_locks) > 500:
            _submit_locks.popitem(last=False)
    return lock


def kept(form: dict[str, Any], slots: list[MaterialSlot]) -> dict[int, list[af.KeptFile]]:
    """The files uploaded in an earlier attempt, per slot."""
    return {slot.index: af.kept_files(form, slot) for slot in slots}


async def read_uploads(
    page: Page, form: dict[str, Any], slots: list[MaterialSlot]
) -> tuple[Chosen, af.Errors]:
    """The chosen files' names and contents per slot; size checked at the edge."""
    chosen: Chosen = {}
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


def upload_all(
    page: Page, key: str, slots: list[MaterialSlot], form: dict[str, Any], chosen: Chosen
) -> tuple[dict[int, list[af.KeptFile]], af.Errors]:
    """Upload the chosen files (they replace the slot's earlier ones); the files of every slot and messages."""
    files = kept(form, slots)
    errors: af.Errors = {}
    for slot in slots:
        uploaded = []
        for name, content in chosen.get(slot.index, []):
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
                remember(_uploads, cache_key, done, 2000)
            uploaded.append(done)
        if uploaded:
            files[slot.index] = uploaded
    return files, errors


def refused(page: Page, error: GatewayError, slots: list[MaterialSlot], *, legal: bool) -> af.Errors:
    """The gateway's refusal of a submission on the form's inputs; its message on the form otherwise."""
    errors = af.map_gateway_fields(error.field_errors(), slots, legal=legal)
    return errors if set(errors) - {"_form"} else {"_form": page.message(error)}
