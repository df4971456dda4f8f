"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow
from ywtb.common.tenancy import STAFF_ROLES, UNBOUND_ROLES
from ywtb.licence.models import Record
from ywtb.licence.records import Records


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _record(record: Record) -> pb.Record:
    message = pb.Record(
        id=record.id,
        tenant=record.tenant,
        dept=record.dept,
        title=record.title,
        created_by=record.created_by,
        status=record.status,
    )
    message.created_at.FromDatetime(utc(record.created_at))
    message.reply_by.FromDatetime(utc(record.reply_by))
    return message


class LicenceServicer(licence_pb2_grpc.LicenceServiceServicer):
    """LicenceService over gRPC."""

    def __init__(self, records: Records) -> None:
        self.records = records

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(*STAFF_ROLES)
    def CreateRecord(self, request, context):  # noqa: N802
        return pb.CreateRecordResponse(record=_record(self.records.create(_caller(), request.title)))

    @allow(*STAFF_ROLES, *UNBOUND_ROLES)
    def GetRecord(self, request, context):  # noqa: N802
        return pb.GetRecordResponse(record=_record(self.records.get(_caller(), request.id)))
