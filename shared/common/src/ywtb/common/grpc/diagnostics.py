"""The Diagnostics service every server registers: who does the server think is calling?"""

from __future__ import annotations

import grpc

from ywtb.api.common.v1 import common_pb2, common_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal, current_tenant
from ywtb.common.grpc.access import authenticated

DIAGNOSTICS_SERVICE = common_pb2.DESCRIPTOR.services_by_name["DiagnosticsService"].full_name


def principal_to_proto(principal: Principal) -> common_pb2.Principal:
    """The principal as the shared proto message."""
    return common_pb2.Principal(
        subject=principal.subject,
        tenant=principal.tenant,
        roles=sorted(principal.roles),
        dept=principal.dept,
        subject_type=principal.subject_type,
        real_name_level=principal.real_name_level,
        name=principal.name,
    )


def principal_from_proto(message: common_pb2.Principal) -> Principal:
    """The principal of the shared proto message."""
    return Principal(
        subject=message.subject,
        tenant=message.tenant,
        roles=frozenset(message.roles),
        dept=message.dept,
        subject_type=message.subject_type,
        real_name_level=message.real_name_level,
        name=message.name,
    )


class DiagnosticsServicer(common_pb2_grpc.DiagnosticsServiceServicer):
    """WhoAmI: the principal and tenant bound for the call, and the echo."""

    @authenticated
    def WhoAmI(  # noqa: N802 - gRPC method name
        self, request: common_pb2.WhoAmIRequest, context: grpc.ServicerContext
    ) -> common_pb2.WhoAmIResponse:
        response = common_pb2.WhoAmIResponse(echo=request.echo, tenant=current_tenant.get() or "")
        principal = current_principal.get()
        if principal is not None:
            response.principal.CopyFrom(principal_to_proto(principal))
        return response
