"""JSON logs: personal data masked; trace id, tenant, case number and request id present."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from ywtb.common.context import bound
from ywtb.common.logs import configure_logging

ID_NUMBER = "110101199003074573"
PHONE = "13812345678"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    old_level = root.level
    configure_logging("ywtb-test", "INFO", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if getattr(h, "_ywtb_json_handler", False)]:
        root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_message_masked_with_trace_and_context(log_stream: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")
    with (
        tracer.start_as_current_span("submit") as span,
        bound(tenant="330100", case_no="330100-2024-000001", request_id="req-12345678"),
    ):
        logging.getLogger("ywtb.intake").info(
            "applicant %s phone %s", ID_NUMBER, PHONE, extra={"note": PHONE}
        )
    [entry] = _lines(log_stream)
    assert entry["msg"] == "applicant 110101********4573 phone 138****5678"
    assert entry["note"] == "138****5678"
    assert ID_NUMBER not in log_stream.getvalue() and PHONE not in log_stream.getvalue()
    assert entry["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert entry["span_id"] == format(span.get_span_context().span_id, "016x")
    assert entry["tenant"] == "330100"
    assert entry["case_no"] == "330100-2024-000001"
    assert entry["request_id"] == "req-12345678"
    assert entry["service"] == "ywtb-test"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "ywtb.intake"
    assert entry["ts"].endswith("+00:00")


def test_exception_text_masked(log_stream: io.StringIO) -> None:
    try:
        raise ValueError(f"bad applicant {ID_NUMBER}")
    except ValueError:
        logging.getLogger("ywtb.intake").exception("failed for %s", PHONE)
    [entry] = _lines(log_stream)
    assert "ValueError: bad applicant 110101********4573" in entry["exc"]
    assert ID_NUMBER not in log_stream.getvalue()
    assert "trace_id" not in entry and "tenant" not in entry


def test_level_filters_and_reconfigure_replaces_handler(log_stream: io.StringIO) -> None:
    logging.getLogger("ywtb.x").debug("hidden")
    configure_logging("ywtb-test", "INFO", stream=log_stream)
    logging.getLogger("ywtb.x").info("shown once")
    assert [e["msg"] for e in _lines(log_stream)] == ["shown once"]
