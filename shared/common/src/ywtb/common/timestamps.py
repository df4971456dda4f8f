"""Datetimes to and from protobuf Timestamps, treating naive values (as SQLite returns them) as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ywtb.common.clock import utc


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp of a datetime, or None."""
    if moment is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(utc(moment))
    return ts


def from_timestamp(ts: Timestamp | None) -> datetime | None:
    """An aware UTC datetime of a set Timestamp, or None when unset (all zero)."""
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return None
    return ts.ToDatetime(tzinfo=UTC)
