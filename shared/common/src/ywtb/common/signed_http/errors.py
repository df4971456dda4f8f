"""What an adapter raises when its partner fails it: not reachable (retry later), or a 4xx refusal of the call."""

from __future__ import annotations

from ywtb.common.errors import Unavailable


class PartnerUnavailable(Unavailable):
    """The partner could not be asked: network error, timeout, 5xx, refused signature, unverifiable answer.
    Each adapter's subclass says so to people in its `default_message`; the detail is `message_en` (and str())."""

    def __init__(self, detail: str) -> None:
        super().__init__(message_en=detail)

    def __str__(self) -> str:
        return self.message_en or self.message


class PartnerRefused(ValueError):
    """The partner answered 4xx: the request is wrong for it (its status, code and message are kept)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{message} ({status} {code})")
