"""The simulated platform's error answers: an HTTP status, its own code and a Chinese message."""

from __future__ import annotations

from ywtb.common.signed_http.refusals import Refusal, bad_request

__all__ = ["Refusal", "bad_request", "not_found", "refund_not_found"]


def not_found(notice_no: str) -> Refusal:
    """404: no such notice."""
    return Refusal(404, "NOTICE_NOT_FOUND", f"缴款通知书 {notice_no[:40]} 不存在，请核对编号。")


def refund_not_found(refund_no: str) -> Refusal:
    """404: no such refund."""
    return Refusal(404, "REFUND_NOT_FOUND", f"退付申请 {refund_no[:64]} 不存在，请核对退付单号。")
