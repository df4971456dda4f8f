"""A Kafka namespace: platforms side by side on one cluster never read each other's topics or share groups."""

from __future__ import annotations

import pytest

from ywtb.common.events.kafka import off_wire, on_wire
from ywtb.common.testing.bus import drain, make_test_bus, quiet
from ywtb.common.testing.stack import create_kafka_topics, stack_env, unique_name


def test_names_on_the_wire() -> None:
    assert on_wire("", "ywtb.intake.case.v1") == "ywtb.intake.case.v1"
    assert on_wire("bench1", "ywtb.intake.case.v1") == "bench1.ywtb.intake.case.v1"
    assert off_wire("bench1", "bench1.ywtb.intake.case.v1") == "ywtb.intake.case.v1"
    assert off_wire("", "ywtb.intake.case.v1") == "ywtb.intake.case.v1"


@pytest.mark.integration
def test_two_namespaces_on_one_cluster_keep_their_events_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    topic = f"ywtb.test.ns{unique_name('')}.v1"
    first, second = unique_name("nsa"), unique_name("nsb")
    create_kafka_topics(stack_env("YWTB_KAFKA_BOOTSTRAP"), [on_wire(first, topic), on_wire(second, topic)])
    a, b = (
        make_test_bus("kafka", tmp_path, namespace=first),
        make_test_bus("kafka", tmp_path, namespace=second),
    )
    try:
        a.publish(topic, "k", b"for-a", [])
        b.publish(topic, "k", b"for-b", [])
        a.flush(10), b.flush(10)
        with a.subscribe("g", [topic]) as sub_a, b.subscribe("g", [topic]) as sub_b:
            (got_a,) = drain(sub_a, 1)
            (got_b,) = drain(sub_b, 1)
            assert (got_a.topic, got_a.value) == (topic, b"for-a")  # plain names for the caller
            assert (got_b.topic, got_b.value) == (topic, b"for-b")
            assert quiet(sub_a, 2) == [] and quiet(sub_b, 1) == []
        with a.subscribe("g", [topic]) as again:  # the group's commit is the namespaced group's
            assert quiet(again, 3) == []
    finally:
        a.close(), b.close()
