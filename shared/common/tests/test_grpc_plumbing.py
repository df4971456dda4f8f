"""gRPC plumbing against an in-process server: health, reflection, deadlines, errors, principal, traces."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ywtb.api.common.v1 import common_pb2, common_pb2_grpc
from ywtb.common import errors
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.signing import (
    ISSUED_AT_HEADER,
    PRINCIPAL_HEADER,
    SIGNATURE_HEADER,
    sign_principal,
    verify_principal,
)
from ywtb.common.context import bound, current_case_no, current_principal, current_request_id, current_tenant
from ywtb.common.grpc import (
    authenticated,
    build_server,
    channel,
    public,
    serve_forever,
    server_port,
    set_serving,
)
from ywtb.common.grpc.client import retry_service_config
from ywtb.common.grpc.diagnostics import DiagnosticsServicer
from ywtb.common.grpc.interceptors import DeadlineInterceptor
from ywtb.common.grpc.metadata import ERROR_HEADER, time_remaining
from ywtb.common.testing.grpc import serve

KEY = b"test-internal-signing-key-0123456789"
OTHER_KEY = b"another-internal-signing-key-9876543210"
SERVICE = "ywtb.api.common.v1.DiagnosticsService"
WHO_AM_I = f"/{SERVICE}/WhoAmI"
CLERK = Principal(
    subject="staff-42",
    tenant="320102",
    roles=frozenset({"window_clerk"}),
    dept="11320102MB1234567X",
    subject_type="staff",
    real_name_level=3,
    name="张三",
)
INTAKE = Principal(
    subject="svc-intake", tenant="320100", roles=frozenset({"service"}), subject_type="service"
)


class BehaviourServicer(common_pb2_grpc.DiagnosticsServiceServicer):
    """WhoAmI whose echo triggers behaviours; records what the handler saw."""

    def __init__(self) -> None:
        self.seen: list[dict[str, object]] = []
        self.attempts: Counter[str] = Counter()
        self._who = DiagnosticsServicer()

    @authenticated
    def WhoAmI(self, request, context):  # noqa: N802
        echo = request.echo
        self.seen.append(
            {
                "echo": echo,
                "principal": current_principal.get(),
                "tenant": current_tenant.get(),
                "case_no": current_case_no.get(),
                "request_id": current_request_id.get(),
                "remaining": time_remaining(),
            }
        )
        if echo.startswith("sleep:"):
            time.sleep(float(echo.split(":", 1)[1]))
        elif echo == "raise:not_found":
            raise errors.NotFound("未找到该办件", code="CASE_NOT_FOUND", fields={"case_no": "不存在"})
        elif echo == "raise:boom":
            raise RuntimeError("boom: password=hunter2")
        elif echo.startswith("unavailable:"):
            _, failures, key = echo.split(":")
            self.attempts[key] += 1
            if self.attempts[key] <= int(failures):
                raise errors.Unavailable()
        return self._who.WhoAmI(request, context)


class PublicServicer(common_pb2_grpc.DiagnosticsServiceServicer):
    @public
    def WhoAmI(self, request, context):  # noqa: N802
        return DiagnosticsServicer().WhoAmI(request, context)


@pytest.fixture(scope="module")
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter


@pytest.fixture(scope="module")
def servicer() -> BehaviourServicer:
    return BehaviourServicer()


@pytest.fixture(scope="module")
def target(servicer, spans) -> Iterator[str]:
    server, address = serve(
        common_pb2_grpc.add_DiagnosticsServiceServicer_to_server,
        servicer,
        signing_key=KEY,
        service_name="ywtb.test",
        max_workers=8,
        tracer_provider=spans[0],
    )
    yield address
    server.stop(0).wait()


@pytest.fixture
def stub(target, spans) -> Iterator[common_pb2_grpc.DiagnosticsServiceStub]:
    with channel(target, signing_key=KEY, principal=INTAKE, tracer_provider=spans[0]) as ch:
        yield common_pb2_grpc.DiagnosticsServiceStub(ch)


@pytest.fixture
def raw(target) -> Iterator[grpc.Channel]:
    """A plain channel: no interceptors, no principal, no deadline."""
    with grpc.insecure_channel(target) as ch:
        yield ch


def who(echo: str = "") -> common_pb2.WhoAmIRequest:
    return common_pb2.WhoAmIRequest(echo=echo)


# --- signing ---------------------------------------------------------------------------------------


def test_signing_round_trip_keeps_every_claim():
    md = sign_principal(CLERK, KEY, now=1_000_000)
    assert set(md) == {PRINCIPAL_HEADER, SIGNATURE_HEADER, ISSUED_AT_HEADER}
    assert all(v.isascii() for v in md.values())
    assert verify_principal(md, KEY, now=1_000_100) == CLERK
    assert verify_principal(list(md.items()), KEY, now=1_000_100) == CLERK


def _tampered(md: dict[str, str], **changes: str) -> dict[str, str]:
    return {**md, **changes}


@pytest.mark.parametrize(
    "case",
    ["wrong_key", "other_payload", "later_iat", "bad_sig", "expired", "future", "missing_sig", "missing_all"],
)
def test_verify_rejects_forged_or_stale(case):
    now = 1_000_000
    md = sign_principal(CLERK, KEY, now=now)
    other = sign_principal(INTAKE, KEY, now=now)
    forged = {
        "wrong_key": sign_principal(CLERK, OTHER_KEY, now=now),
        "other_payload": _tampered(md, **{PRINCIPAL_HEADER: other[PRINCIPAL_HEADER]}),
        "later_iat": _tampered(md, **{ISSUED_AT_HEADER: str(now + 250)}),
        "bad_sig": _tampered(md, **{SIGNATURE_HEADER: md[SIGNATURE_HEADER][:-2] + "AA"}),
        "expired": sign_principal(CLERK, KEY, now=now - 301),
        "future": sign_principal(CLERK, KEY, now=now + 120),
        "missing_sig": {k: v for k, v in md.items() if k != SIGNATURE_HEADER},
        "missing_all": {},
    }[case]
    with pytest.raises(errors.Unauthenticated):
        verify_principal(forged, KEY, now=now)


def test_signing_refuses_a_short_key():
    with pytest.raises(errors.ConfigError):
        sign_principal(CLERK, b"short", now=0)
    with pytest.raises(errors.ConfigError):
        verify_principal({}, b"", now=0)


# --- health and reflection -------------------------------------------------------------------------


def test_health_reports_serving_without_a_principal(raw):
    health = health_pb2_grpc.HealthStub(raw)
    for name in ("", SERVICE, "ywtb.test"):
        reply = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=2)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
    with pytest.raises(grpc.RpcError) as info:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=2)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch_streams_through_the_interceptors(raw):
    watch = health_pb2_grpc.HealthStub(raw).Watch(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    watch.cancel()


def test_reflection_lists_diagnostics_and_returns_its_file(raw):
    reflect = reflection_pb2_grpc.ServerReflectionStub(raw)
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE),
    ]
    listed, files = list(reflect.ServerReflectionInfo(iter(requests), timeout=5))
    names = {s.name for s in listed.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health"} <= names
    protos = [
        descriptor_pb2.FileDescriptorProto.FromString(raw_file)
        for raw_file in files.file_descriptor_response.file_descriptor_proto
    ]
    assert "ywtb/api/common/v1/common.proto" in {p.name for p in protos}
    common = next(p for p in protos if p.name == "ywtb/api/common/v1/common.proto")
    assert [s.name for s in common.service] == ["DiagnosticsService"]


# --- deadlines -------------------------------------------------------------------------------------


def test_client_deadline_surfaces_as_deadline_exceeded(stub):
    started = time.monotonic()
    with pytest.raises(errors.DeadlineExceeded) as info:
        stub.WhoAmI(who("sleep:1"), timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert info.value.http_status == 504


def test_channel_applies_a_default_deadline(target):
    ch = channel(target, signing_key=KEY, principal=INTAKE, default_timeout_s=0.2)
    with ch, pytest.raises(errors.DeadlineExceeded):
        common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(who("sleep:1"))


def test_handler_reads_the_remaining_time(stub, servicer):
    with bound(principal=CLERK):
        stub.WhoAmI(who("remaining"), timeout=3)
    remaining = next(s for s in reversed(servicer.seen) if s["echo"] == "remaining")["remaining"]
    assert remaining is not None and 1 < remaining <= 3.1  # grpc clocks may differ by a few ms


def test_a_call_whose_deadline_has_passed_never_runs():
    ran = []
    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: ran.append(request))
    details = SimpleNamespace(method=WHO_AM_I, invocation_metadata=())
    wrapped = DeadlineInterceptor().intercept_service(lambda _: handler, details)
    expired = SimpleNamespace(time_remaining=lambda: 0.0)
    with pytest.raises(errors.DeadlineExceeded):
        wrapped.unary_unary("request", expired)
    assert ran == []
    wrapped.unary_unary("request", SimpleNamespace(time_remaining=lambda: 2.0))
    assert ran == ["request"]


# --- errors ----------------------------------------------------------------------------------------


def test_not_found_survives_the_round_trip(stub, raw):
    with bound(principal=CLERK), pytest.raises(errors.NotFound) as info:
        stub.WhoAmI(who("raise:not_found"))
    assert info.value.message == "未找到该办件"
    assert info.value.code == "CASE_NOT_FOUND"
    assert info.value.fields == {"case_no": "不存在"}
    assert info.value.http_status == 404

    md = sign_principal(CLERK, KEY)
    with pytest.raises(grpc.RpcError) as raw_info:
        raw.unary_unary(WHO_AM_I)(
            who("raise:not_found").SerializeToString(), metadata=list(md.items()), timeout=5
        )
    assert raw_info.value.code() == grpc.StatusCode.NOT_FOUND
    assert raw_info.value.details() == "未找到该办件"
    trailer = dict(raw_info.value.trailing_metadata())[ERROR_HEADER]
    assert json.loads(trailer)["code"] == "CASE_NOT_FOUND"


def test_unexpected_error_is_internal_and_leaks_nothing(stub, raw, caplog):
    with bound(principal=CLERK), pytest.raises(errors.YwtbError) as info:
        stub.WhoAmI(who("raise:boom"))
    assert type(info.value) is errors.Internal
    assert info.value.message == errors.Internal.default_message
    assert "boom" not in json.dumps(info.value.to_dict()) and "hunter2" not in str(info.value.message_en)

    md = sign_principal(CLERK, KEY)
    with pytest.raises(grpc.RpcError) as raw_info:
        raw.unary_unary(WHO_AM_I)(who("raise:boom").SerializeToString(), metadata=list(md.items()), timeout=5)
    assert raw_info.value.code() == grpc.StatusCode.INTERNAL
    assert "boom" not in raw_info.value.details()
    assert all(
        b"boom" not in (v if isinstance(v, bytes) else v.encode())
        for _, v in raw_info.value.trailing_metadata()
    )
    assert "boom: password=hunter2" in caplog.text  # the detail stays in the logs, with its traceback
    assert "Traceback" in caplog.text


# --- principal -------------------------------------------------------------------------------------


def test_caller_principal_reaches_the_handler(stub, servicer):
    with bound(principal=CLERK, case_no="320102250101000001", request_id="req-1"):
        reply = stub.WhoAmI(who("hello"))
    assert reply.echo == "hello"
    assert reply.tenant == "320102"
    assert reply.principal.subject == "staff-42"
    assert reply.principal.name == "张三"
    assert list(reply.principal.roles) == ["window_clerk"]
    seen = next(s for s in reversed(servicer.seen) if s["echo"] == "hello")
    assert seen["principal"] == CLERK
    assert seen["tenant"] == "320102"
    assert seen["case_no"] == "320102250101000001"
    assert seen["request_id"] == "req-1"


def test_service_principal_is_used_when_no_caller_is_bound(target):
    with channel(target, signing_key=KEY, principal=INTAKE) as ch:
        reply = common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(who("svc"))
    assert reply.principal.subject == "svc-intake"
    assert reply.tenant == "320100"


def _forged_metadata(case: str) -> list[tuple[str, str]]:
    md = sign_principal(CLERK, KEY)
    other = sign_principal(
        Principal(subject="admin", tenant="320000", roles=frozenset({"platform_admin"})), KEY
    )
    return list(
        {
            "wrong_key": sign_principal(CLERK, OTHER_KEY),
            "bad_signature": {**md, PRINCIPAL_HEADER: other[PRINCIPAL_HEADER]},
            "expired": sign_principal(CLERK, KEY, now=time.time() - 3600),
            "missing_sig": {k: v for k, v in md.items() if k != SIGNATURE_HEADER},
            "no_principal": {},
        }[case].items()
    )


@pytest.mark.parametrize("case", ["wrong_key", "bad_signature", "expired", "missing_sig", "no_principal"])
def test_forged_or_missing_principal_is_unauthenticated(target, servicer, case):
    before = len(servicer.seen)
    with channel(target, signing_key=KEY) as ch:
        stub = common_pb2_grpc.DiagnosticsServiceStub(ch)
        with pytest.raises(errors.Unauthenticated):
            stub.WhoAmI(who("forged"), metadata=_forged_metadata(case))
    assert len(servicer.seen) == before  # the handler never ran


def test_a_channel_with_the_wrong_key_is_unauthenticated(target):
    ch = channel(target, signing_key=OTHER_KEY, principal=INTAKE)
    with ch, pytest.raises(errors.Unauthenticated):
        common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(who())


def test_public_method_runs_without_a_principal_but_still_rejects_forgeries():
    server = build_server(
        [(common_pb2_grpc.add_DiagnosticsServiceServicer_to_server, PublicServicer())],
        port=0,
        host="127.0.0.1",
        signing_key=KEY,
        service_name="ywtb.public",
    )
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server_port(server)}") as ch:
            call = ch.unary_unary(WHO_AM_I, response_deserializer=common_pb2.WhoAmIResponse.FromString)
            reply = call(who("anon").SerializeToString(), timeout=5)
            assert reply.echo == "anon" and not reply.HasField("principal")
            with pytest.raises(grpc.RpcError) as info:
                call(who().SerializeToString(), metadata=_forged_metadata("bad_signature"), timeout=5)
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        server.stop(0).wait()


# --- retries ---------------------------------------------------------------------------------------


def test_idempotent_methods_are_retried_on_unavailable(target, servicer):
    with channel(target, signing_key=KEY, principal=INTAKE, idempotent_methods=[f"{SERVICE}/WhoAmI"]) as ch:
        reply = common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(who("unavailable:2:retried"))
    assert reply.echo == "unavailable:2:retried"
    assert servicer.attempts["retried"] == 3


def test_other_methods_are_not_retried(target, servicer):
    with channel(target, signing_key=KEY, principal=INTAKE) as ch, pytest.raises(errors.Unavailable):
        common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(who("unavailable:1:once"))
    assert servicer.attempts["once"] == 1


def test_retry_service_config_names_only_the_given_methods():
    config = retry_service_config([f"/{SERVICE}/WhoAmI", "ywtb.api.catalog.v1.CatalogService"])
    (method_config,) = config["methodConfig"]
    assert method_config["name"] == [
        {"service": SERVICE, "method": "WhoAmI"},
        {"service": "ywtb.api.catalog.v1.CatalogService"},
    ]
    assert method_config["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert method_config["retryPolicy"]["maxAttempts"] == 4
    assert retry_service_config([]) == {}


# --- tracing ---------------------------------------------------------------------------------------


def test_traceparent_continues_the_callers_trace(stub, spans):
    provider, exporter = spans
    exporter.clear()
    tracer = trace.get_tracer("test", tracer_provider=provider)
    with tracer.start_as_current_span("gateway request") as root, bound(principal=CLERK):
        stub.WhoAmI(who("traced"))
    trace_id = root.get_span_context().trace_id
    server_spans = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert [s.name for s in server_spans] == [f"{SERVICE}/WhoAmI"]
    assert server_spans[0].context.trace_id == trace_id
    assert server_spans[0].parent is not None and server_spans[0].parent.is_remote


def test_failed_call_marks_the_server_span(stub, spans):
    _, exporter = spans
    exporter.clear()
    with bound(principal=CLERK), pytest.raises(errors.NotFound):
        stub.WhoAmI(who("raise:not_found"))
    (span,) = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert span.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    assert span.status.status_code == trace.StatusCode.ERROR


# --- lifecycle -------------------------------------------------------------------------------------


def test_set_serving_flips_health():
    server = build_server([], port=0, host="127.0.0.1", signing_key=KEY, service_name="ywtb.flip")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server_port(server)}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            check = health_pb2.HealthCheckRequest(service="ywtb.flip")
            set_serving(server, False)
            assert health.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.NOT_SERVING
            set_serving(server, True)
            assert health.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(0).wait()


def test_serve_forever_reports_not_serving_before_it_stops():
    server = build_server([], port=0, host="127.0.0.1", signing_key=KEY, service_name="ywtb.lifecycle")
    stop = threading.Event()
    runner = threading.Thread(target=serve_forever, args=(server, stop), kwargs={"grace_s": 2})
    runner.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server_port(server)}") as ch:
            watch = health_pb2_grpc.HealthStub(ch).Watch(
                health_pb2.HealthCheckRequest(service="ywtb.lifecycle"), timeout=5, wait_for_ready=True
            )
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            stop.set()
            assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
            watch.cancel()
    finally:
        stop.set()
        runner.join(timeout=5)
    assert not runner.is_alive()
