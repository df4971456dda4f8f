"""HttpSmsPlatform: the 短信平台 over its signed JSON-over-HTTP wire (README.md beside this file)."""

from __future__ import annotations

from typing import Any

from ywtb.common.signed_http.client import SignedClient
from ywtb.common.sms.platform import Sms, SmsRefused, SmsUnavailable
from ywtb.common.sms.wire import SMS_SIGNING, checked_key, sent_from_json, sms_to_json


def _unavailable(detail: str) -> SmsUnavailable:
    """The detail in English (logs); the Chinese message for people is the error's default."""
    return SmsUnavailable(message_en=detail)


class HttpSmsPlatform:
    """The SmsPlatform at base_url: every request signed, every answer's signature verified."""

    def __init__(self, base_url: str, key: str, *, timeout_s: float = 5.0) -> None:
        self._client = SignedClient(
            base_url,
            checked_key(key),
            SMS_SIGNING,
            unavailable=_unavailable,
            refused=SmsRefused,
            timeout_s=timeout_s,
            refusal_message="短信平台拒绝了该短信",
        )
        self.base_url = self._client.base_url

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpSmsPlatform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def send(self, sms: Sms) -> str:
        """Send one message; the platform's message id (the same message_no again: the same id, sent once)."""
        return self._client.answer(
            lambda body: sent_from_json(body, sms.message_no), "POST", "/v1/messages", sms_to_json(sms)
        )

    def exchange(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One signed exchange; the verified JSON answer (the simulator's inbox read and switches use it)."""
        return self._client.exchange(method, path, body)
