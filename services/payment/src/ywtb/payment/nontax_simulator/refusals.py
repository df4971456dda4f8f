"""The simulated platform's error answers: an HTTP status, its own code and a Chinese message."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request the platform refuses; answered as {"code", "message"} with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")

    def to_dict(self) -> dict[str, Any]:
        """The answer's body."""
        return {"code": self.code, "message": self.message}


def bad_request(message: str) -> Refusal:
    """400: the request is malformed or breaks a rule of the platform."""
    return Refusal(400, "BAD_REQUEST", message)


def not_found(notice_no: str) -> Refusal:
    """404: no such notice."""
    return Refusal(404, "NOTICE_NOT_FOUND", f"缴款通知书 {notice_no[:40]} 不存在，请核对编号。")


def refund_not_found(refund_no: str) -> Refusal:
    """404: no such refund."""
    return Refusal(404, "REFUND_NOT_FOUND", f"退付申请 {refund_no[:64]} 不存在，请核对退付单号。")
