"""What the payment service publishes and reads."""

from __future__ import annotations

from ywtb.payment.models import metadata

ORDER_TOPIC = "ywtb.payment.order.v1"
INTAKE_CASE_TOPIC = "ywtb.intake.case.v1"
APPROVAL_CASE_TOPIC = "ywtb.approval.case.v1"
CONSUMER_GROUP = "ywtb-payment"
publish = metadata.publisher(ORDER_TOPIC)
