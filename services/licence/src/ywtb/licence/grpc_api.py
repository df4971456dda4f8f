"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import DEPT_ADMIN
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.models import AUTOMATIC, MANUAL, LicenceType

ISSUE_MODES = {pb.ISSUE_MODE_AUTOMATIC: AUTOMATIC, pb.ISSUE_MODE_MANUAL: MANUAL}
ISSUE_MODE_PB = {mode: value for value, mode in ISSUE_MODES.items()}


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _licence_type(licence_type: LicenceType) -> pb.LicenceType:
    message = pb.LicenceType(
        code=licence_type.code,
        tenant=licence_type.tenant,
        dept=licence_type.dept,
        name=licence_type.name,
        fields=[pb.LicenceField(**f) for f in licence_type.fields],
        validity_months=licence_type.validity_months,
        template_title=licence_type.template_title,
        issue_mode=ISSUE_MODE_PB[licence_type.issue_mode],
        created_by=licence_type.created_by,
    )
    message.created_at.FromDatetime(utc(licence_type.created_at))
    return message


class LicenceServicer(licence_pb2_grpc.LicenceServiceServicer):
    """LicenceService over gRPC."""

    def __init__(self, licence_types: LicenceTypes) -> None:
        self.licence_types = licence_types

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(DEPT_ADMIN)
    def DefineLicenceType(self, request, context):  # noqa: N802
        draft = LicenceTypeDraft(
            name=request.name,
            fields=tuple((f.key, f.label, f.required) for f in request.fields),
            validity_months=request.validity_months,
            template_title=request.template_title,
            issue_mode=ISSUE_MODES.get(request.issue_mode, ""),
        )
        defined = self.licence_types.define(_caller(), draft)
        return pb.DefineLicenceTypeResponse(licence_type=_licence_type(defined))

    @public  # the licence type catalogue is published
    def GetLicenceType(self, request, context):  # noqa: N802
        return pb.GetLicenceTypeResponse(licence_type=_licence_type(self.licence_types.get(request.code)))

    @public
    def ListLicenceTypes(self, request, context):  # noqa: N802
        found = self.licence_types.list(request.tenant, request.dept)
        return pb.ListLicenceTypesResponse(licence_types=[_licence_type(t) for t in found])
