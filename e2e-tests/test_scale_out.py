"""Scale-out on the local stack: two replicas each of intake and approval on one PostgreSQL and Kafka.

Cases run submit → accept → workflow (CaseAccepted over Kafka) → claim → approve through the gateway at
concurrency 8; one approval and one intake replica are SIGKILLed mid-run (run_platform starts them
again). The databases must then hold every case exactly once, one workflow and one approval each, the
outboxes fully relayed and one inbox row per consumed event; the replicas' own traces (OTLP, by
`service.instance.id`) and the Kafka group's assignment show that both replicas of each served.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path

import grpc
import httpx
import pytest
from confluent_kafka import ConsumerGroupState
from confluent_kafka.admin import AdminClient
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from ywtb.common.components import registry
from ywtb.common.health import grpc_serving
from ywtb.common.testing.demo import CITIZEN, ID_NUMBER

CASES, CONCURRENCY = 100, 8
# This platform's port shift (conftest: embedded 12000, local 12010, contract 12020, scale-out 12030);
# replica k listens on its port + 5k, inside the shift's own ten ports.
SHIFT, REPLICA_PORT_STEP = 12030 + int(os.environ.get("YWTB_E2E_PORT_OFFSET", "0")), 5
ITEM = "补领婚姻登记证"  # an instant item: one approval step (process instant-default)
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\0" * 2048
# Topics and groups of this platform's own on the shared Kafka: no other platform can take its events.
NAMESPACE = f"scale{uuid.uuid4().hex[:8]}"
CONSUMED = "ywtb.intake.case.v1"
GROUP, WIRE_TOPIC = f"{NAMESPACE}.ywtb-approval", f"{NAMESPACE}.{CONSUMED}"
SERVER, CONSUMER = 2, 5  # OTLP span kinds
RETRIABLE = (502, 503, 504)


class SpanSink(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP trace receiver: (service.instance.id, kind, name, message id, start ns) of every span."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, int, str, str, int]] = []
        self._lock = threading.Lock()

    def Export(self, request, context):  # noqa: N802
        rows = []
        for resource_spans in request.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            instance = attrs.get("service.instance.id", "")
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    ids = [a.value.string_value for a in span.attributes if a.key == "messaging.message.id"]
                    rows.append(
                        (instance, span.kind, span.name, ids[0] if ids else "", span.start_time_unix_nano)
                    )
        with self._lock:
            self.spans.extend(rows)
        return trace_service_pb2.ExportTraceServiceResponse()

    def served(self, kind: int, name_prefix: str = "", before: float = float("inf")) -> Counter[str]:
        """Spans of that kind (and name prefix) per instance, started before `before` (ns)."""
        with self._lock:
            return Counter(
                i for i, k, n, _, t in self.spans if k == kind and n.startswith(name_prefix) and t < before
            )


class Steps:
    """Gateway calls retried while a killed replica makes them fail (502/503/504, a broken connection)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.retries = Counter[str]()

    def call(
        self,
        step: str,
        method: str,
        url: str,
        ok: tuple[int, ...],
        done: Callable[[], bool] | None = None,
        **kw,
    ):  # type: ignore[no-untyped-def]
        """The reply with an `ok` status; after a failed attempt a refusal counts when `done()` shows the effect."""
        failed = False
        for _ in range(40):
            try:
                reply = self.client.request(method, url, **kw)
            except httpx.TransportError:
                reply = None
            if reply is not None and reply.status_code in ok:
                return reply
            if reply is not None and reply.status_code not in RETRIABLE:
                if failed and done is not None and done():
                    return reply
                raise AssertionError(f"{step}: {reply.status_code} {reply.text}")
            failed = True
            self.retries[step] += 1
            time.sleep(0.5)
        raise AssertionError(f"{step}: still failing after 40 attempts")


def one_case(steps: Steps, citizen: dict, clerk: dict, item: dict) -> tuple[str, str]:
    """One instant case of the demo citizen 张三 to approval; (idempotency key, case number)."""
    upload = steps.call(
        "upload", "POST", "/api/v1/cases/materials", (201,), headers=citizen,
        files={"file": ("photo.png", PHOTO, "image/png")},
    )  # fmt: skip
    key = str(uuid.uuid4())
    body = {
        "item_id": item["item_id"],
        "item_version": item["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {"applicant_type": 1, "name": "张三", "id_type": "111", "id_number": ID_NUMBER,
                      "contact_mobile": CITIZEN},
        "form_data": {"applicant_name": "张三", "id_number": ID_NUMBER, "mobile": CITIZEN,
                      "certificate_type": "结婚证"},
        "materials": [{"material_name": "近期半身免冠照片", "file_ids": [upload.json()["id"]]}],
    }  # fmt: skip
    submitted = steps.call(
        "submit", "POST", "/api/v1/cases", (200, 201), headers={**citizen, "Idempotency-Key": key}, json=body
    )
    case_no = submitted.json()["case_no"]
    case_url = f"/api/v1/cases/{case_no}"

    def status(url: str) -> str:
        return steps.call("read", "GET", url, (200,), headers=clerk).json()["status"]

    steps.call(
        "accept", "POST", f"{case_url}/accept", (200,), lambda: status(case_url) == "CASE_STATUS_ACCEPTED",
        headers=clerk, json={"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "予以受理"},
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while not (tasks := steps.call("tasks", "GET", "/api/v1/tasks", (200,), headers=clerk, params={"case_no": case_no}).json()):  # fmt: skip
        assert time.monotonic() < deadline, f"no workflow for {case_no} within 90 s"
        time.sleep(0.1)
    task_url = f"{case_url}/tasks/{tasks[0]['task_id']}"
    steps.call("claim", "POST", f"{task_url}/claim", (200,), lambda: True, headers=clerk)
    done = steps.call(
        "complete", "POST", f"{task_url}/complete", (200,),
        lambda: status(f"{case_url}/approval") == "CASE_STATUS_COMPLETED",
        headers=clerk, json={"opinion": "准予补领", "decision": "approve"},
    )  # fmt: skip
    assert done.status_code != 200 or done.json()["outcome"] == "DECISION_APPROVE", done.text
    return key, case_no


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[SpanSink, int]]:
    """The OTLP receiver the platform's processes export their traces to."""
    receiver = SpanSink()
    server = grpc.server(futures.ThreadPoolExecutor(4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield receiver, port
    server.stop(0).wait()


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, sink, start_platform) -> Iterator[tuple[httpx.Client, Path, dict[str, Engine]]]:  # type: ignore[no-untyped-def]
    """The local-stack platform with intake=2, approval=2; its run directory and its databases."""
    prefix = f"scale_{uuid.uuid4().hex[:8]}"
    run_dir = tmp_path_factory.mktemp("scale")
    extra = {
        "YWTB_REPLICAS": "intake=2,approval=2",
        "YWTB_KAFKA_NAMESPACE": NAMESPACE,
        "YWTB_REPLICA_PORT_STEP": str(REPLICA_PORT_STEP),
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://127.0.0.1:{sink[1]}",
        "OTEL_BSP_SCHEDULE_DELAY": "500",
    }
    base = make_url(os.environ["YWTB_POSTGRES_URL"])
    engines = {n: create_engine(base.set(database=f"{prefix}_{n}")) for n in ("intake", "approval")}
    try:
        for client in start_platform(run_dir, "local", SHIFT, prefix, extra):
            yield client, run_dir, engines
    finally:
        for engine in engines.values():
            engine.dispose()
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in (c.name for c in registry() if c.uses("postgresql")):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{name}" WITH (FORCE)'))
        admin.dispose()


def group_assignment(timeout: float = 60) -> list[list[int]]:
    """The partitions of the consumed topic each member of the approval group holds, once it is stable."""
    admin = AdminClient({"bootstrap.servers": os.environ["YWTB_KAFKA_BOOTSTRAP"]})
    deadline = time.monotonic() + timeout
    while True:
        group = admin.describe_consumer_groups([GROUP])[GROUP].result(timeout=10)
        members = sorted(
            sorted(tp.partition for tp in m.assignment.topic_partitions if tp.topic == WIRE_TOPIC)
            for m in group.members
        )
        if group.state == ConsumerGroupState.STABLE or time.monotonic() > deadline:
            return members
        time.sleep(1)


def pid_of(run_dir: Path, name: str) -> int:
    """The pid run_platform lists for a process (processes.json)."""
    return next(p["pid"] for p in json.loads((run_dir / "processes.json").read_text()) if p["name"] == name)


def wait_serving(port: int, timeout: float = 90) -> None:
    """Wait until the gRPC health service on the port answers SERVING."""
    deadline = time.monotonic() + timeout
    while not grpc_serving(f"127.0.0.1:{port}"):
        assert time.monotonic() < deadline, f"nothing serves on port {port} within {timeout:.0f} s"
        time.sleep(0.5)


def rows(engine: Engine, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.mark.integration
@pytest.mark.timeout(420)  # about two minutes on 2 cores; room for a slower machine
def test_two_replicas_split_the_load_and_a_killed_one_loses_nothing(scaled, sink, login) -> None:  # type: ignore[no-untyped-def]
    client, run_dir, db = scaled
    spans = sink[0]
    members = group_assignment()
    assert len(members) == 2, (
        f"the group {GROUP} must hold exactly this platform's 2 approval replicas: {members}"
    )
    steps = Steps(client)
    citizen, clerk = (
        login(client, CITIZEN),
        login(client, "jinjiang.clerk2"),
    )
    hit = client.get("/api/v1/catalog/search", params={"q": ITEM}).json()["hits"][0]
    item = {"item_id": hit["item_id"], "version": hit["version"]}

    completed: list[tuple[str, str]] = []
    killed: dict[str, tuple[int, float]] = {}

    lock = threading.Lock()

    def run(_: int) -> tuple[str, str]:
        result = one_case(steps, citizen, clerk, item)
        with lock:
            completed.append(result)
            victim = {CASES // 4: "approval-1", CASES // 2: "intake-1"}.get(len(completed))
            if victim:  # mid-run: one approval replica, then one intake replica
                killed[victim] = (pid_of(run_dir, victim), time.time())
                os.kill(killed[victim][0], signal.SIGKILL)
        return result

    started = time.perf_counter()
    with futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(run, range(CASES)))
    elapsed = time.perf_counter() - started
    keys, case_nos = [k for k, _ in results], [c for _, c in results]
    assert set(killed) == {"approval-1", "intake-1"}
    log = (run_dir / "platform.log").read_text()
    for name, (pid, _) in killed.items():
        assert f"{name} exited with -9; starting it again" in log
        assert pid_of(run_dir, name) != pid

    # Every case once in intake, once in approval, approved and completed once.
    assert len(set(case_nos)) == CASES
    intake_cases = rows(
        db["intake"], "SELECT idempotency_key, case_no FROM cases WHERE idempotency_key = ANY(:k)", k=keys
    )
    assert sorted(intake_cases) == sorted(results)
    accepted = rows(
        db["intake"],
        "SELECT key, event_id FROM outbox WHERE ce_type = 'ywtb.intake.v1.CaseAccepted' AND key = ANY(:c)",
        c=case_nos,
    )
    assert sorted(k for k, _ in accepted) == sorted(case_nos)  # one CaseAccepted per case
    instances = rows(
        db["approval"],
        "SELECT case_no, status, outcome, source_event_id FROM instances WHERE case_no = ANY(:c)",
        c=case_nos,
    )
    assert sorted((c, s, o) for c, s, o, _ in instances) == sorted(
        (c, "completed", "approved") for c in case_nos
    )
    assert {(c, e) for c, _, _, e in instances} == set(accepted)  # each started by its own CaseAccepted
    steps_done = rows(
        db["approval"],
        "SELECT case_no, count(*) FROM steps WHERE case_no = ANY(:c) GROUP BY case_no",
        c=case_nos,
    )
    assert sorted(steps_done) == sorted((c, 1) for c in case_nos)
    approved = rows(
        db["approval"],
        "SELECT ce_type, count(DISTINCT key), count(*) FROM outbox WHERE key = ANY(:c) AND ce_type IN "
        "('ywtb.approval.v1.CaseApproved', 'ywtb.approval.v1.CaseCompleted') GROUP BY ce_type",
        c=case_nos,
    )
    assert sorted(approved) == [
        ("ywtb.approval.v1.CaseApproved", CASES, CASES),
        ("ywtb.approval.v1.CaseCompleted", CASES, CASES),
    ]

    # Outboxes fully relayed (the relays of both replicas, SKIP LOCKED); one inbox row per consumed event.
    deadline = time.monotonic() + 30
    while (
        pending := [rows(db[s], "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] for s in db]
    ) != [0, 0]:
        assert time.monotonic() < deadline, f"outbox rows not relayed: {pending}"
        time.sleep(0.5)
    for service in db:
        assert rows(db[service], "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL") == [(0,)]
    inbox = rows(
        db["approval"],
        "SELECT event_id, count(*) FROM inbox WHERE event_id = ANY(:e) GROUP BY event_id",
        e=[e for _, e in accepted],
    )
    assert sorted(inbox) == sorted((e, 1) for _, e in accepted)

    # The restarted replicas take calls again once they serve (the gateway reconnects within ~1 s).
    for name in killed:
        port = next(
            p["port"] for p in json.loads((run_dir / "processes.json").read_text()) if p["name"] == name
        )
        wait_serving(port)
    for case_no in case_nos[:20]:
        steps.call("read", "GET", f"/api/v1/cases/{case_no}", (200,), headers=clerk)
        steps.call("read", "GET", f"/api/v1/cases/{case_no}/approval", (200,), headers=clerk)
        time.sleep(0.1)

    # Both replicas of each served: gRPC calls (round_robin in the gateway) and Kafka partitions.
    time.sleep(1.5)  # the processes' span batches (OTEL_BSP_SCHEDULE_DELAY 500 ms)
    grpc_served = spans.served(SERVER, "ywtb.api.")
    # The approval group's replicas, and the payment service's own group on the same topic.
    every_group = spans.served(CONSUMER, f"process {CONSUMED}")
    consumed = Counter({name: n for name, n in every_group.items() if name.startswith("approval-")})
    before_kill = {}
    for service in ("intake", "approval"):
        until = killed[f"{service}-1"][1] * 1e9
        before_kill[service] = spans.served(SERVER, f"ywtb.api.{service}.", before=until)
        split = [before_kill[service][f"{service}-{k}"] for k in (0, 1)]
        assert min(split) > sum(split) / 3, before_kill  # round_robin: about half each while both are up
    assert set(consumed) == {"approval-0", "approval-1"} and every_group["payment-0"], every_group
    assert [len(m) for m in members] == [3, 3] and sorted(sum(members, [])) == list(range(6)), members
    redelivered = sum(
        n - 1
        for n in Counter(
            m for i, k, _, m, _ in spans.spans if k == CONSUMER and m and i.startswith("approval-")
        ).values()
        if n > 1
    )
    after_restart = {
        name: sum(1 for i, k, _, _, t in spans.spans if i == name and k == SERVER and t > at * 1e9)
        for name, (_, at) in killed.items()
    }
    assert all(after_restart.values()), after_restart
    figures = {
        "cases": CASES,
        "concurrency": CONCURRENCY,
        "seconds": round(elapsed, 1),
        "cases_per_s": round(CASES / elapsed, 1),
        "client_retries": dict(steps.retries),
        "grpc_calls_served": dict(sorted(grpc_served.items())),
        "grpc_calls_before_the_kills": {s: dict(sorted(c.items())) for s, c in before_kill.items()},
        "grpc_calls_after_the_restart": after_restart,
        "case_accepted_consumed": dict(sorted(consumed.items())),
        "partitions_per_member": members,
        "redeliveries_deduplicated": redelivered,
    }
    print(f"\nscale-out figures: {json.dumps(figures, ensure_ascii=False)}")
