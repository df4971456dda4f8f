"""非税收入统一缴款平台: the interface the payment service uses and its HTTP adapter (README.md here)."""

from ywtb.common.signed_http.nonces import MemoryNonceStore, NonceStore
from ywtb.payment.nontax.http_platform import HttpNonTaxPlatform
from ywtb.payment.nontax.platform import (
    CallbackRejected,
    NonTaxPlatform,
    Notice,
    NoticeRequest,
    NoticeState,
    NoticeStatus,
    Payment,
    PlatformRefused,
    PlatformUnavailable,
)

__all__ = [
    "CallbackRejected",
    "HttpNonTaxPlatform",
    "MemoryNonceStore",
    "NonTaxPlatform",
    "NonceStore",
    "Notice",
    "NoticeRequest",
    "NoticeState",
    "NoticeStatus",
    "Payment",
    "PlatformRefused",
    "PlatformUnavailable",
]
