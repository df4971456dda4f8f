"""OpenTelemetry set-up: traces and metrics with OTLP export when configured, W3C trace context."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_lock = threading.Lock()
_done = False


def _endpoint_set(signal: str) -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    )


def build_providers(service_name: str) -> tuple[TracerProvider, MeterProvider]:
    """Tracer and meter providers for `service_name` (OTEL_SERVICE_NAME wins), exporting only to a configured OTLP endpoint."""
    name = os.environ.get("OTEL_SERVICE_NAME") or service_name
    resource = Resource.create({SERVICE_NAME: name})

    tracer_provider = TracerProvider(resource=resource)
    if _endpoint_set("TRACES"):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))

    readers: list[MetricReader] = []
    if _endpoint_set("METRICS"):
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    return tracer_provider, MeterProvider(resource=resource, metric_readers=readers)


def setup_telemetry(service_name: str) -> None:
    """Install the global tracer and meter providers and the W3C propagator; later calls do nothing."""
    global _done
    with _lock:
        if _done:
            return
        _done = True
        if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            return
        tracer_provider, meter_provider = build_providers(service_name)
        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
        propagate.set_global_textmap(TraceContextTextMapPropagator())


class _HeaderGetter(Getter[Mapping[str, Any]]):
    """Reads text or bytes header values (HTTP, Kafka) case-insensitively."""

    def get(self, carrier: Mapping[str, Any], key: str) -> list[str] | None:
        key = key.lower()
        for name, value in carrier.items():
            if name.lower() == key:
                return [value.decode("latin-1") if isinstance(value, bytes) else str(value)]
        return None

    def keys(self, carrier: Mapping[str, Any]) -> list[str]:
        return list(carrier)


_getter = _HeaderGetter()


def inject_headers(carrier: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Write the current trace context (traceparent, tracestate) into `carrier` and return it."""
    carrier = {} if carrier is None else carrier
    propagate.inject(carrier)
    return carrier


def extract_context(carrier: Mapping[str, Any]) -> Context:
    """The trace context carried by `carrier` (text or bytes values), for use as a span's parent."""
    return propagate.extract(carrier, getter=_getter)
