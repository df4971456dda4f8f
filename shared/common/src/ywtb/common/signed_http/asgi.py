"""ASGI middleware of a partner's side (the simulators): signed requests under a prefix, every answer signed."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ywtb.common.signed_http.bodies import dumps
from ywtb.common.signed_http.nonces import NonceStore
from ywtb.common.signed_http.signing import RESPONSE, HmacSigning, SignatureInvalid

MAX_BODY_BYTES = 256 * 1024


class SignedExchange:
    """Verify what comes in under `signed_prefix` (401 BAD_SIGNATURE; nonces not replayed), sign whatever goes
    out (with the request's path); a body over `max_body_bytes` is 413 TOO_LARGE."""

    def __init__(
        self,
        app: ASGIApp,
        key: str,
        nonces: NonceStore,
        signing: HmacSigning,
        signed_prefix: str = "/v1/",
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.key = key
        self.nonces = nonces
        self.signing = signing
        self.signed_prefix = signed_prefix
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        body, complete = await _read_body(receive, self.max_body_bytes)
        if not complete:
            await self._answer(send, path, 413, {"code": "TOO_LARGE", "message": "请求体过大。"})
            return
        if path.startswith(self.signed_prefix):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            try:
                self.signing.verify(self.key, scope["method"], path, body, headers, nonces=self.nonces)
            except SignatureInvalid as error:
                message = f"签名校验失败：{error}"
                await self._answer(send, path, 401, {"code": "BAD_SIGNATURE", "message": message})
                return
        await self.app(scope, _replay(body, receive), self._signing_send(send, path))

    def _signed(self, path: str, body: bytes) -> list[tuple[bytes, bytes]]:
        return [
            (k.lower().encode(), v.encode())
            for k, v in self.signing.sign(self.key, RESPONSE, path, body).items()
        ]

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
            length = [(b"content-length", str(len(body)).encode())]
            await send({**start, "headers": kept + self._signed(path, body) + length})
            await send({"type": "http.response.body", "body": body})

        return signing_send

    async def _answer(self, send: Send, path: str, status: int, content: dict[str, str]) -> None:
        body = dumps(content)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send(
            {"type": "http.response.start", "status": status, "headers": headers + self._signed(path, body)}
        )
        await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, and False when it passed `limit` (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
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
