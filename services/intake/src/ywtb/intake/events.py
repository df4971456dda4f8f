"""What the intake service publishes: the case topic (key = case number, so one case's events stay ordered)."""

from __future__ import annotations

from ywtb.intake.models import metadata

CASE_TOPIC = "ywtb.intake.case.v1"

publish = metadata.publisher(CASE_TOPIC)
