"""JSON logs on stdout with trace id, tenant, case number and request id; personal data masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from opentelemetry import trace

from ywtb.common.context import current_case_no, current_request_id, current_tenant
from ywtb.common.pii import mask_text

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged as a field.
# uvicorn adds `color_message`, a copy of the message with ANSI colours.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
_HANDLER_MARK = "_ywtb_json_handler"


def _masked(value: Any) -> Any:
    return mask_text(value) if isinstance(value, str) else value


class JsonFormatter(logging.Formatter):
    """One JSON object per line; message, exception and extra string fields pass through mask_text."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
            "service": self.service_name,
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        for key, var in (
            ("tenant", current_tenant),
            ("case_no", current_case_no),
            ("request_id", current_request_id),
        ):
            value = var.get()
            if value is not None:
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = _masked(value)
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = mask_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_text(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service_name: str, level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Install the JSON formatter on the root logger (stdout by default); calling again replaces it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter(service_name))
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
