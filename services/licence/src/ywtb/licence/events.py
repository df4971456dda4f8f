"""What the licence service publishes and consumes."""

from __future__ import annotations

from ywtb.licence.models import metadata

LICENCE_TOPIC = "ywtb.licence.licence.v1"  # key = licence type code, or licence identifier
APPROVAL_CASE_TOPIC = "ywtb.approval.case.v1"  # consumed: CaseApproved starts an issuance
PAYMENT_ORDER_TOPIC = "ywtb.payment.order.v1"  # consumed: PaymentPaid releases a licence issued once paid
CONSUMER_GROUP = "ywtb-licence"
publish = metadata.publisher(LICENCE_TOPIC)
