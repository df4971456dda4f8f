"""ASGI middleware: requests under /v1/ must be signed (nonces not replayed); every answer is signed."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ywtb.payment.nontax.nonces import NonceStore
from ywtb.payment.nontax.signing import RESPONSE, SignatureInvalid, sign, verify
from ywtb.payment.nontax.wire import dumps

SIGNED_PREFIX = "/v1/"
MAX_BODY_BYTES = 256 * 1024


class SignedExchange:
    """Verify what comes in under /v1/, sign whatever goes out (with the request's path)."""

    def __init__(self, app: ASGIApp, key: str, nonces: NonceStore) -> None:
        self.app = app
        self.key = key
        self.nonces = nonces

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        body, complete = await _read_body(receive)
        if not complete:
            await self._answer(send, path, 413, {"code": "TOO_LARGE", "message": "请求体过大。"})
            return
        if path.startswith(SIGNED_PREFIX):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            try:
                verify(self.key, scope["method"], path, body, headers, nonces=self.nonces)
            except SignatureInvalid as error:
                message = f"签名校验失败：{error}"
                await self._answer(send, path, 401, {"code": "BAD_SIGNATURE", "message": message})
                return
        await self.app(scope, _replay(body, receive), self._signing_send(send, path))

    def _signing_send(self, send: Send, path: str) -> Send:
        """A send that holds the answer back until its whole body is known, then sends it signed."""
        start: Message = {}
        chunks: list[bytes] = []

        async def signing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            signed = [
                (k.lower().encode(), v.encode()) for k, v in sign(self.key, RESPONSE, path, body).items()
            ]
            length = [(b"content-length", str(len(body)).encode())]
            await send({**start, "headers": kept + signed + length})
            await send({"type": "http.response.body", "body": body})

        return signing_send

    async def _answer(self, send: Send, path: str, status: int, content: dict[str, str]) -> None:
        body = dumps(content)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        signed = [(k.lower().encode(), v.encode()) for k, v in sign(self.key, RESPONSE, path, body).items()]
        await send({"type": "http.response.start", "status": status, "headers": headers + signed})
        await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and False when it passed MAX_BODY_BYTES (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever comes next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
