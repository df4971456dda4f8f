"""Telemetry: service name, exporters only when configured, idempotent set-up, W3C header round trip."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from ywtb.common import telemetry
from ywtb.common.telemetry import build_providers, extract_context, inject_headers, setup_telemetry

OTLP_VARS = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_SDK_DISABLED",
)


@pytest.fixture(autouse=True)
def _no_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTLP_VARS:
        monkeypatch.delenv(name, raising=False)


def _processors(provider: TracerProvider) -> tuple[object, ...]:
    return provider._active_span_processor._span_processors  # no public accessor


def test_no_exporter_without_endpoint() -> None:
    tracer_provider, meter_provider = build_providers("ywtb-test")
    assert tracer_provider.resource.attributes["service.name"] == "ywtb-test"
    assert _processors(tracer_provider) == ()
    assert list(meter_provider._metric_readers) == []


def test_otlp_exporters_when_endpoint_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4317")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "ywtb-renamed")
    tracer_provider, meter_provider = build_providers("ywtb-test")
    try:
        assert tracer_provider.resource.attributes["service.name"] == "ywtb-renamed"
        assert len(_processors(tracer_provider)) == 1
        assert list(meter_provider._metric_readers) == []  # only traces were configured
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()


def test_general_endpoint_enables_traces_and_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
    tracer_provider, meter_provider = build_providers("ywtb-test")
    try:
        assert len(_processors(tracer_provider)) == 1
        assert len(list(meter_provider._metric_readers)) == 1
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()


def test_setup_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "_done", False)
    calls: list[str] = []

    def counting_build(service_name: str) -> tuple[object, object]:
        calls.append(service_name)
        return build_providers(service_name)

    monkeypatch.setattr(telemetry, "build_providers", counting_build)
    setup_telemetry("ywtb-first")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    setup_telemetry("ywtb-second")
    assert trace.get_tracer_provider() is provider
    assert calls == ["ywtb-first"]


def test_headers_round_trip_including_bytes_values() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("produce") as span:
        headers = inject_headers({})
    assert headers["traceparent"].split("-")[1] == format(span.get_span_context().trace_id, "032x")

    kafka_headers = {"TraceParent": headers["traceparent"].encode()}
    parent = trace.get_current_span(extract_context(kafka_headers)).get_span_context()
    assert parent.trace_id == span.get_span_context().trace_id
    assert parent.span_id == span.get_span_context().span_id
    assert parent.is_remote


def test_extract_without_headers_gives_no_parent() -> None:
    assert not trace.get_current_span(extract_context({})).get_span_context().is_valid
