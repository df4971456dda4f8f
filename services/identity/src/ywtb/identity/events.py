"""What the identity service publishes: its topics; events are staged in the use case's transaction."""

from __future__ import annotations

from ywtb.identity.models import metadata

TENANT_TOPIC = "ywtb.identity.tenant.v1"
DEPARTMENT_TOPIC = "ywtb.identity.department.v1"
STAFF_TOPIC = "ywtb.identity.staff.v1"
PERSON_TOPIC = "ywtb.identity.person.v1"

publish = metadata.publisher()  # publish(session, message, topic=..., key=..., tenant=...)
