"""The size limit of what a browser may post (applications with their materials)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ywtb.common.http_body import BodyTooLarge, declared_too_large, limited_receive
from ywtb.portal.i18n import translate


class BodyLimit:
    """Refuses a body over `limit` bytes with a 413 page; the declared length is checked before reading."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if declared_too_large(Headers(scope=scope), self.limit):
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, limited_receive(receive, self.limit), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = "en" if "lang=en" in Headers(scope=scope).get("cookie", "") else "zh"
        text = translate(lang, "error.too_large", mib=self.limit // (1024 * 1024))
        page = f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><meta charset="utf-8"><p>{text}</p>'
        await HTMLResponse(page, 413, headers={"Connection": "close"})(scope, receive, send)


__all__ = ["BodyLimit", "BodyTooLarge"]
