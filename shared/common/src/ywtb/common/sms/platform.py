"""What a service needs of the province's 短信平台 (government SMS gateway), whatever adapter talks to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ywtb.common.errors import Unavailable


@dataclass(frozen=True)
class Sms:
    """One text message from a template registered with the platform (短信模板), with its parameters."""

    message_no: str  # the sender's number for it: sending it again sends nothing twice
    tenant: str
    mobile: str
    template: str
    params: Mapping[str, str] = field(default_factory=dict)


class SmsUnavailable(Unavailable):
    """The platform could not be asked (network, timeout, 5xx, a bad signature or answer): retry later.
    Its `message` is for people; `message_en` (and str()) is the detail."""

    default_message = "短信平台暂时无法访问，请稍后重试。"

    def __str__(self) -> str:
        return self.message_en or self.message


class SmsRefused(ValueError):
    """The platform refused the message (4xx: unknown template, bad number, the number's daily limit)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class SmsPlatform(Protocol):
    """The SMS gateway."""

    def send(self, sms: Sms) -> str:
        """Send one message; the platform's message id (idempotent by message_no)."""
        ...
