"""What the licence service publishes."""

from __future__ import annotations

from ywtb.licence.models import metadata

RECORD_TOPIC = "ywtb.licence.record.v1"
publish = metadata.publisher(RECORD_TOPIC)
