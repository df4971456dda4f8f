"""Request body size limits of the HTTP components (gateway, portal)."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import Message, Receive


class BodyTooLarge(HTTPException):
    """The request body passed the size limit (a FastAPI HTTPException so body parsing re-raises it)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, headers={"Connection": "close"})


def declared_too_large(headers: Headers, limit: int) -> bool:
    """True when the request declares a Content-Length over `limit`."""
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def limited_receive(receive: Receive, limit: int) -> Receive:
    """`receive` that raises BodyTooLarge once more than `limit` body bytes have arrived (chunked bodies too)."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge()
        return message

    return receive_within_limit
