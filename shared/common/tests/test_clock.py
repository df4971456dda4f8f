"""The one UTC helper (clock.utc) and the places that store or send instants through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from ywtb.common import timestamps
from ywtb.common.clock import Clock, Clocked, utc
from ywtb.common.outbox import event_of_row

SHANGHAI_OFFSET = timezone(timedelta(hours=8))


def test_utc_takes_naive_as_utc_and_converts_other_zones() -> None:
    assert utc(datetime(2026, 10, 8, 1, 30)) == datetime(2026, 10, 8, 1, 30, tzinfo=UTC)
    converted = utc(datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI_OFFSET))
    assert converted.tzinfo is UTC and converted.hour == 1


def test_timestamps_count_naive_values_as_utc() -> None:
    assert timestamps.timestamp(datetime(2026, 10, 8, 1, 30)).ToJsonString() == "2026-10-08T01:30:00Z"


def test_an_outbox_row_read_back_naive_or_in_another_zone_is_an_event_in_utc() -> None:
    row = SimpleNamespace(
        topic="t", key="k", ce_type="x", source="/s", tenant="510104", payload=b"", subject="",
        event_id="e1", event_time=datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI_OFFSET),
        traceparent=None, tracestate=None,
    )  # fmt: skip
    assert event_of_row(row).time == datetime(2026, 10, 8, 1, 30, tzinfo=UTC)
    assert event_of_row(row).time.tzinfo is UTC
    row.event_time = datetime(2026, 10, 8, 1, 30)
    assert event_of_row(row).time == datetime(2026, 10, 8, 1, 30, tzinfo=UTC)


def test_a_clocked_use_case_reads_its_injected_clock_in_utc() -> None:
    class UseCase(Clocked):
        def __init__(self, clock: Clock) -> None:
            self.clock = clock

    moment = datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI_OFFSET)
    now = UseCase(lambda: moment).now()
    assert now == moment and now.tzinfo is UTC
