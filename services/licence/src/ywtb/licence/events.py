"""What the licence service publishes."""

from __future__ import annotations

from ywtb.licence.models import metadata

LICENCE_TOPIC = "ywtb.licence.licence.v1"  # key = licence type code, or licence identifier
publish = metadata.publisher(LICENCE_TOPIC)
