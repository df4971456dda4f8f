"""A partner's error answers (the simulators' side): an HTTP status, the partner's own code, a Chinese message."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request the partner refuses; answered as {"code", "message"} with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")

    def to_dict(self) -> dict[str, Any]:
        """The answer's body."""
        return {"code": self.code, "message": self.message}


def bad_request(message: str) -> Refusal:
    """400: the request is malformed or breaks a rule of the partner."""
    return Refusal(400, "BAD_REQUEST", message)
