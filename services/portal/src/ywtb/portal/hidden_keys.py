"""Keys that travel in addresses but never reach the portal's logs: a window visit's rating code (一次一评) and a
mobile asker's 查询码 are each the only key to their visit or inquiry. One filter, on the access log (the
portal's pages, and a login or language switch coming back to them with next=) and on httpx's log of the
gateway calls (/visits/<code>, /inquiries/by-ref/<ref>)."""

from __future__ import annotations

import logging
import re

SLASH = r"(?:/|%2F)"
# the key after one of these paths (its own page, or the gateway's read of it); not the listing "mine"
KEY_IN_PATH = re.compile(
    rf"({SLASH}(?:rate{SLASH}visit|evaluation{SLASH}visits|inquiries{SLASH}(?:by-)?ref){SLASH})"
    r"(?!mine(?:[/?#&\s\"]|%2F|$))[A-Za-z0-9_-]+",
    re.IGNORECASE,
)
LOGGERS = ("uvicorn.access", "httpx")


def hidden(value: object) -> object:
    """`value` with the keys of its paths as ***; itself when it has none (a number, a path without keys)."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)  # httpx logs its URL objects
    masked = KEY_IN_PATH.sub(r"\1***", text)
    return value if masked == text else masked


class HiddenKeys(logging.Filter):
    """Log records without the keys of the paths in their message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = str(hidden(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(hidden(arg) for arg in record.args)
        return True


HIDDEN_KEYS = HiddenKeys()


def hide_keys_in_logs() -> None:
    """Install the filter on the loggers that write addresses (once: a logger keeps a filter once)."""
    for name in LOGGERS:
        logging.getLogger(name).addFilter(HIDDEN_KEYS)
