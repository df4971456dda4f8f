"""What a number received from the SMS gateway simulator (smssim): tests read the code the citizen "receives".

before = inbox(sms_url, key, mobile)[0]
... the flow that texts the number ...
text = last_message(sms_url, key, mobile, after=before)   # waits for a new one (wait_s)
"""

from __future__ import annotations

import time
from urllib.parse import quote

from ywtb.common.sms.http_platform import HttpSmsPlatform
from ywtb.common.sms.wire import ReceivedSms, inbox_from_json


def inbox(base_url: str, key: str, mobile: str) -> tuple[int, list[ReceivedSms]]:
    """How many messages the number received in all, and the latest ones, newest first (a signed read)."""
    with HttpSmsPlatform(base_url, key) as platform:
        body = platform.exchange("GET", f"/v1/messages?mobile={quote(mobile, safe='')}")
    return inbox_from_json(body, mobile)


def last_message(base_url: str, key: str, mobile: str, *, after: int = 0, wait_s: float = 10.0) -> str:
    """The text of the number's newest message, once it has received more than `after` messages in all
    (polled for up to wait_s); AssertionError when none came."""
    deadline = time.monotonic() + wait_s
    while True:
        total, messages = inbox(base_url, key, mobile)
        if total > after and messages:
            return messages[0].text
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"no SMS to {mobile} within {wait_s:g}s (it has {total}, expected more than {after})"
            )
        time.sleep(0.2)
