"""What the evaluation service publishes and reads."""

from __future__ import annotations

from ywtb.evaluation.models import metadata

RATING_TOPIC = "ywtb.evaluation.rating.v1"
INQUIRY_TOPIC = "ywtb.evaluation.inquiry.v1"
INTAKE_CASE_TOPIC = "ywtb.intake.case.v1"
APPROVAL_CASE_TOPIC = "ywtb.approval.case.v1"
CONSUMER_GROUP = "ywtb-evaluation"
publish = metadata.publisher(RATING_TOPIC)
publish_inquiry = metadata.publisher(INQUIRY_TOPIC)
