"""The service kit: metadata with outbox and inbox, the publisher, the periodic worker, the spec and start-up."""

from __future__ import annotations

import threading

import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy import select

from ywtb.api.intake.v1 import events_pb2
from ywtb.common.db import Database
from ywtb.common.runtime import Kit, Parts, ServiceSpec, start_service
from ywtb.common.settings import ServiceSettings
from ywtb.common.tables import service_metadata
from ywtb.common.workers import periodic

KEY = "k" * 32


def test_service_metadata_holds_outbox_and_inbox() -> None:
    metadata = service_metadata("sample")
    assert {"outbox", "inbox"} <= set(metadata.tables)
    assert metadata.outbox is metadata.tables["outbox"] and metadata.inbox is metadata.tables["inbox"]


def test_publisher_stages_the_event_in_the_callers_transaction() -> None:
    metadata = service_metadata("sample")
    db = Database("sqlite://")
    metadata.create_all(db.engine)
    publish = metadata.publisher("ywtb.sample.case.v1")
    with pytest.raises(RuntimeError), db.transaction() as session:
        publish(session, events_pb2.CaseRejected(case_no="C-0"), key="C-0", tenant="510104")
        raise RuntimeError("the use case fails after staging")
    with db.transaction() as session:
        publish(session, events_pb2.CaseRejected(case_no="C-1"), key="C-1", tenant="510104")
        publish(session, events_pb2.CaseRejected(case_no="C-2"), key="C-2", tenant="510104", topic="other.v1")
    with db.transaction() as session:
        rows = session.execute(select(metadata.outbox).order_by(metadata.outbox.c.seq)).all()
    assert [(r.key, r.topic, r.source, r.ce_type) for r in rows] == [
        ("C-1", "ywtb.sample.case.v1", "/ywtb/sample", "ywtb.intake.v1.CaseRejected"),
        ("C-2", "other.v1", "/ywtb/sample", "ywtb.intake.v1.CaseRejected"),
    ]


def test_periodic_worker_logs_a_failed_round_and_runs_the_next(caplog) -> None:  # type: ignore[no-untyped-def]
    stop = threading.Event()
    rounds: list[int] = []

    def round_() -> None:
        rounds.append(1)
        if len(rounds) == 1:
            raise ConnectionError("database restarting")
        if len(rounds) >= 3:
            stop.set()

    worker = periodic("deemed-acceptance", round_, interval_s=0.01)
    thread = threading.Thread(target=worker, args=(stop,))
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and len(rounds) == 3
    assert "deemed-acceptance round failed" in caplog.text and "database restarting" in caplog.text


def test_periodic_worker_needs_a_positive_interval() -> None:
    with pytest.raises(ValueError):
        periodic("x", lambda: None, interval_s=0)


class SampleSettings(ServiceSettings):
    """Settings of the test service."""

    model_config = SettingsConfigDict(env_prefix="YWTB_SAMPLE_")


def test_spec_derives_names_and_refuses_a_drifted_prefix_or_metadata() -> None:
    spec = ServiceSpec(
        name="sample", settings=SampleSettings, metadata=service_metadata("sample"), build=_parts
    )
    assert (spec.package, spec.process_name, spec.env_prefix) == (
        "ywtb.sample",
        "ywtb-sample",
        "YWTB_SAMPLE_",
    )
    with pytest.raises(ValueError, match="YWTB_OTHER_"):
        ServiceSpec(name="other", settings=SampleSettings, metadata=service_metadata("other"), build=_parts)
    with pytest.raises(ValueError, match="metadata"):
        ServiceSpec(name="sample", settings=SampleSettings, metadata=service_metadata("other"), build=_parts)


def _parts(kit: Kit[SampleSettings]) -> Parts:
    return Parts(servicers=[])


def test_start_service_runs_the_relay_and_the_services_workers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    metadata = service_metadata("sample")
    ran = threading.Event()
    built: list[Kit[SampleSettings]] = []

    def build(kit: Kit[SampleSettings]) -> Parts:
        metadata.create_all(kit.db.engine)  # the sample has no migrations
        built.append(kit)
        return Parts(servicers=[], workers={"tick": periodic("tick", ran.set, interval_s=0.01)})

    settings = SampleSettings(
        internal_signing_key=KEY,
        grpc_port=21871,
        data_dir=tmp_path,
        event_log_path=tmp_path / "events.db",
        migrate_on_start=False,
    )
    spec = ServiceSpec(name="sample", settings=SampleSettings, metadata=metadata, build=build)
    runtime, server = start_service(spec, settings)
    assert [name for name, _ in runtime._workers] == ["relay", "tick"]
    assert str(built[0].db.engine.url).endswith("sample.db")
    threading.Timer(0.5, runtime.stop.set).start()
    runtime.serve(server, grace_s=1)
    assert ran.is_set()
    built[0].bus.close()
