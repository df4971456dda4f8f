"""The SMS wire: its X-Sms-* signature and its JSON bodies (snake_case), both ways; WireError if wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ywtb.common.signed_http.bodies import WireError, field, format_time, objects, time_field
from ywtb.common.signed_http.signing import HmacSigning, check_key
from ywtb.common.sms.platform import Sms

SMS_SIGNING = HmacSigning("X-Sms")
MAX_ID_CHARS = 64


def checked_key(key: str) -> str:
    """The shared key when it is long enough; ValueError otherwise."""
    return check_key(key, "the SMS platform key")


def sms_to_json(sms: Sms) -> dict[str, Any]:
    """POST /v1/messages body."""
    return {
        "message_no": sms.message_no,
        "tenant": sms.tenant,
        "mobile": sms.mobile,
        "template": sms.template,
        "params": dict(sms.params),
    }


def params_field(body: dict[str, Any]) -> dict[str, str]:
    """body["params"]: an object of string values."""
    params = field(body, "params", dict)
    for name, value in params.items():
        if not isinstance(value, str):
            raise WireError(f"params.{str(name)[:40]}: expected str")
    return {str(name): value for name, value in params.items()}


def sms_from_json(body: dict[str, Any]) -> Sms:
    """An Sms from POST /v1/messages."""
    return Sms(
        message_no=field(body, "message_no", str),
        tenant=field(body, "tenant", str),
        mobile=field(body, "mobile", str),
        template=field(body, "template", str),
        params=params_field(body),
    )


def sent_to_json(message_no: str, message_id: str, status: str = "sent") -> dict[str, Any]:
    """POST /v1/messages answer."""
    return {"message_no": message_no, "message_id": message_id, "status": status}


def sent_from_json(body: dict[str, Any], message_no: str) -> str:
    """The message id of the POST /v1/messages answer, checked to answer that message."""
    answered = field(body, "message_no", str)
    if answered != message_no:
        raise WireError(f"answer for message {answered[:MAX_ID_CHARS]!r} instead of {message_no!r}")
    message_id = field(body, "message_id", str)
    if not 0 < len(message_id) <= MAX_ID_CHARS:
        raise WireError(f"message_id: expected 1 to {MAX_ID_CHARS} characters")
    field(body, "status", str)
    return message_id


@dataclass(frozen=True)
class ReceivedSms:
    """One message as a number received it (the simulator's inbox read; a real platform has none)."""

    message_id: str
    message_no: str
    tenant: str
    template: str
    params: dict[str, str]
    text: str  # what the phone shows: 【signature】 and the filled template
    sent_at: datetime


def received_to_json(message: ReceivedSms) -> dict[str, Any]:
    """One message of the GET /v1/messages?mobile= answer."""
    return {
        "message_id": message.message_id,
        "message_no": message.message_no,
        "tenant": message.tenant,
        "template": message.template,
        "params": dict(message.params),
        "text": message.text,
        "sent_at": format_time(message.sent_at),
    }


def inbox_to_json(mobile: str, total: int, messages: list[ReceivedSms]) -> dict[str, Any]:
    """GET /v1/messages?mobile= answer: how many the number received, the latest ones newest first."""
    return {"mobile": mobile, "total": total, "messages": [received_to_json(m) for m in messages]}


def inbox_from_json(body: dict[str, Any], mobile: str) -> tuple[int, list[ReceivedSms]]:
    """(total, messages newest first) of GET /v1/messages?mobile=, checked to be that number's."""
    if field(body, "mobile", str) != mobile:
        raise WireError("the inbox of another number")
    messages = [
        ReceivedSms(
            message_id=field(item, "message_id", str),
            message_no=field(item, "message_no", str),
            tenant=field(item, "tenant", str),
            template=field(item, "template", str),
            params=params_field(item),
            text=field(item, "text", str),
            sent_at=time_field(item, "sent_at"),
        )
        for item in objects(body, "messages")
    ]
    return field(body, "total", int), messages
