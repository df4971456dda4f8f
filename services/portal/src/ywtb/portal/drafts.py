"""Drafts (草稿): what a user typed into a form whose POST found their login gone, kept for after the login.

A draft lives in the session under the path of the page the form was on, with the action it posted to,
the account it belongs to and the posted text fields as `Page.form()` gives them (a list for a name
posted more than once). Never kept: files, the CSRF token, passwords. The page's GET takes it once.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from ywtb.portal.session import Session

DRAFTS = "drafts"  # session key: page path → draft
MAX_DRAFTS = 5
MAX_CHARS = 100_000  # a larger form is not kept (the session lives in Redis)
TTL_S = 3600
NEVER_KEPT = frozenset({"csrf"})


@dataclass(frozen=True)
class Draft:
    """A kept form: the action it posted to (matched by the page), its text fields."""

    action: str
    form: dict[str, Any]
    match: re.Match[str]


def text_fields(form: FormData) -> dict[str, Any]:
    """The posted text fields, without files, the CSRF token and passwords."""
    kept: dict[str, Any] = {}
    for name in dict.fromkeys(form.keys()):
        if name in NEVER_KEPT or "password" in name.lower():
            continue
        texts = [value for value in form.getlist(name) if isinstance(value, str)]
        if texts:
            kept[name] = texts if len(texts) > 1 else texts[0]
    return kept


def keep(session: Session, page_path: str, action: str, owner: Iterable[str], fields: dict[str, Any]) -> bool:
    """Keep `fields` for `owner` ([area, subject]) until they are back on `page_path`; False when too large."""
    entry = {"action": action, "owner": list(owner), "at": time.time(), "form": fields}
    if len(json.dumps(entry, ensure_ascii=False)) > MAX_CHARS:
        return False
    drafts = {path: draft for path, draft in _fresh(session).items() if path != page_path}
    drafts[page_path] = entry
    session[DRAFTS] = dict(list(drafts.items())[-MAX_DRAFTS:])
    return True


def take(session: Session, page_path: str, owner: Iterable[str], action: str) -> Draft | None:
    """The draft of `page_path` when it is `owner`'s and was posted to `action` (a regex); it is dropped."""
    drafts = _fresh(session)
    entry = drafts.pop(page_path, None)
    if entry is None:
        return None
    session[DRAFTS] = drafts
    match = re.fullmatch(action, entry["action"])
    if entry["owner"] != list(owner) or match is None:
        return None  # another account's, or another form's on the same page
    return Draft(entry["action"], entry["form"], match)


def _fresh(session: Session) -> dict[str, dict[str, Any]]:
    """The session's drafts younger than TTL_S."""
    now = time.time()
    return {path: d for path, d in (session.get(DRAFTS) or {}).items() if now - d.get("at", 0) < TTL_S}
