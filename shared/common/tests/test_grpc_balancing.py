"""Client-side load balancing: a target naming several replicas spreads calls over them (round_robin)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from ywtb.api.common.v1 import common_pb2, common_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.grpc import build_server, channel, public
from ywtb.common.grpc.client import balanced_target
from ywtb.common.grpc.diagnostics import DiagnosticsServicer
from ywtb.common.testing.grpc import serve

KEY = b"test-internal-signing-key-0123456789"
WHO_AM_I = "ywtb.api.common.v1.DiagnosticsService/WhoAmI"
SERVICE = Principal(
    subject="svc-gateway", tenant="510100", roles=frozenset({"service"}), subject_type="service"
)


class CountingServicer(common_pb2_grpc.DiagnosticsServiceServicer):
    """WhoAmI that counts the calls this replica served."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    @public
    def WhoAmI(self, request, context):  # noqa: N802
        with self._lock:
            self.calls += 1
        return DiagnosticsServicer().WhoAmI(request, context)


@pytest.fixture
def replicas() -> Iterator[list[tuple[object, str, CountingServicer]]]:
    started = []
    for _ in range(2):
        servicer = CountingServicer()
        server, address = serve(
            common_pb2_grpc.add_DiagnosticsServiceServicer_to_server,
            servicer,
            signing_key=KEY,
            service_name="ywtb.test",
        )
        started.append((server, address, servicer))
    yield started
    for server, _, _ in started:
        server.stop(0).wait()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:50063", ("127.0.0.1:50063", False)),
        ("ywtb-intake:50063", ("ywtb-intake:50063", False)),
        ("127.0.0.1:50063,127.0.0.1:50163", ("ipv4:127.0.0.1:50063,127.0.0.1:50163", True)),
        (" 10.0.0.1:1, 10.0.0.2:1 ,", ("ipv4:10.0.0.1:1,10.0.0.2:1", True)),
        ("[::1]:50063,[::1]:50163", ("ipv6:[::1]:50063,[::1]:50163", True)),
        ("dns:///ywtb-intake-headless:50063", ("dns:///ywtb-intake-headless:50063", True)),
    ],
)
def test_targets_of_several_replicas_are_balanced(given: str, expected: tuple[str, bool]) -> None:
    assert balanced_target(given) == expected


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("intake-0:50063,intake-1:50063", "dns:///"),
        ("127.0.0.1:50063,[::1]:50063", "one family"),
        ("127.0.0.1,127.0.0.2:1", "host:port"),
        ("::1:50063,::1:50163", "brackets"),
    ],
)
def test_a_list_that_grpc_cannot_resolve_is_refused(given: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        balanced_target(given)


def test_calls_spread_over_every_replica_of_a_list(replicas) -> None:  # type: ignore[no-untyped-def]
    target = ",".join(address for _, address, _ in replicas)
    with channel(target, signing_key=KEY, principal=SERVICE, idempotent_methods=[WHO_AM_I]) as ch:
        stub = common_pb2_grpc.DiagnosticsServiceStub(ch)
        for n in range(40):
            stub.WhoAmI(common_pb2.WhoAmIRequest(echo=str(n)), wait_for_ready=True)
    served = Counter({address: servicer.calls for _, address, servicer in replicas})
    assert sum(served.values()) == 40
    assert all(count >= 10 for count in served.values()), served  # round_robin: 20 / 20 once both are up


def test_a_single_target_sticks_to_its_one_connection(replicas) -> None:  # type: ignore[no-untyped-def]
    _, address, servicer = replicas[0]
    with channel(address, signing_key=KEY, principal=SERVICE) as ch:
        stub = common_pb2_grpc.DiagnosticsServiceStub(ch)
        for n in range(10):
            stub.WhoAmI(common_pb2.WhoAmIRequest(echo=str(n)))
    assert servicer.calls == 10 and replicas[1][2].calls == 0


def test_a_stopped_replica_leaves_the_calls_to_the_others(replicas) -> None:  # type: ignore[no-untyped-def]
    target = ",".join(address for _, address, _ in replicas)
    with channel(target, signing_key=KEY, principal=SERVICE, idempotent_methods=[WHO_AM_I]) as ch:
        stub = common_pb2_grpc.DiagnosticsServiceStub(ch)
        for n in range(10):
            stub.WhoAmI(common_pb2.WhoAmIRequest(echo=str(n)), wait_for_ready=True)
        replicas[0][0].stop(0).wait()  # type: ignore[attr-defined]
        before = replicas[1][2].calls
        for n in range(20):  # UNAVAILABLE on the stopped one is retried on the other (idempotent method)
            stub.WhoAmI(common_pb2.WhoAmIRequest(echo=str(n)))
    assert replicas[1][2].calls - before == 20


def test_a_restarted_replica_takes_calls_again_within_seconds(replicas) -> None:  # type: ignore[no-untyped-def]
    target = ",".join(address for _, address, _ in replicas)
    port = int(replicas[0][1].rsplit(":", 1)[1])
    with channel(target, signing_key=KEY, principal=SERVICE, idempotent_methods=[WHO_AM_I]) as ch:
        stub = common_pb2_grpc.DiagnosticsServiceStub(ch)
        stub.WhoAmI(common_pb2.WhoAmIRequest(echo="warm"), wait_for_ready=True)
        replicas[0][0].stop(0).wait()  # type: ignore[attr-defined]
        for n in range(60):  # 6 s of failed reconnects: gRPC's own backoff would wait ~4 s more by now
            stub.WhoAmI(common_pb2.WhoAmIRequest(echo=str(n)))
            time.sleep(0.1)
        again = CountingServicer()
        server = build_server(
            [(common_pb2_grpc.add_DiagnosticsServiceServicer_to_server, again)],
            port=port, host="127.0.0.1", signing_key=KEY, service_name="ywtb.test",
        )  # fmt: skip
        server.start()
        try:
            deadline = time.monotonic() + 2.5
            while again.calls == 0 and time.monotonic() < deadline:
                stub.WhoAmI(common_pb2.WhoAmIRequest(echo="again"))
                time.sleep(0.05)
        finally:
            server.stop(0).wait()
    assert again.calls > 0, "the restarted replica got no call within 2.5 s"
