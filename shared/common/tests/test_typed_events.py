"""Events are read by parsing their proto: the type is checked, unknown types skipped, bad data refused."""

from __future__ import annotations

import pytest

from ywtb.api.intake.v1 import events_pb2
from ywtb.common.events.envelope import Event, MalformedEvent
from ywtb.common.events.typed import EventTypes, parse_event, type_of


def event(message, **extra) -> Event:  # type: ignore[no-untyped-def]
    return Event.of(
        message, topic="ywtb.intake.case.v1", key="C-1", source="/ywtb/intake", tenant="510104", **extra
    )


def test_parse_event_reads_the_proto() -> None:
    accepted = events_pb2.CaseAccepted(case_no="C-1", process="p", applicant_id="citizen-1")
    accepted.items.add(item_id="I-1", dept="D", code="X")
    parsed = parse_event(event(accepted), events_pb2.CaseAccepted)
    assert parsed == accepted and type_of(events_pb2.CaseAccepted) == "ywtb.intake.v1.CaseAccepted"


def test_parse_event_refuses_another_type_and_data_that_does_not_fit() -> None:
    with pytest.raises(MalformedEvent, match="CaseRejected"):
        parse_event(event(events_pb2.CaseRejected(case_no="C-1")), events_pb2.CaseAccepted)
    bad = Event(
        topic="t",
        key="C-1",
        type="ywtb.intake.v1.CaseAccepted",
        source="s",
        tenant="510104",
        data=b'{"itemVersion": "three"}',
    )
    with pytest.raises(MalformedEvent, match="does not fit"):
        parse_event(bad, events_pb2.CaseAccepted)


def test_event_types_skip_what_the_consumer_does_not_read() -> None:
    reads = EventTypes(events_pb2.CaseAccepted)
    assert reads.parse(event(events_pb2.CaseRejected(case_no="C-1"))) is None
    assert reads.parse(event(events_pb2.CaseAccepted(case_no="C-1"))).case_no == "C-1"  # type: ignore[union-attr]
