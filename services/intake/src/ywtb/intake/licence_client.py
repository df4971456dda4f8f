"""The applicant's e-licences as intake reads them for 一证通办, over gRPC through LicenceService."""

from __future__ import annotations

from typing import Protocol

from ywtb.api.licence.v1 import licence_pb2, licence_pb2_grpc
from ywtb.common.auth.principal import SYSTEM
from ywtb.common.context import bound
from ywtb.common.grpc import channel

GET_HELD_LICENCE = "ywtb.api.licence.v1.LicenceService/GetHeldLicence"


class LicenceClient(Protocol):
    """A licence the applicant holds (tests pass a fake servicer on a real server)."""

    def held(self, identifier: str, holder_code: str, type_name: str) -> licence_pb2.GetHeldLicenceResponse:
        """The valid licence of the type held by `holder_code`, with its file; refused otherwise."""


class GrpcLicenceClient:
    """LicenceService.GetHeldLicence as the service itself (the applicant was checked here first)."""

    def __init__(self, target: str, signing_key: bytes, *, timeout_s: float = 5.0) -> None:
        self._stub = licence_pb2_grpc.LicenceServiceStub(
            channel(
                target,
                signing_key=signing_key,
                idempotent_methods=[GET_HELD_LICENCE],
                default_timeout_s=timeout_s,
            )
        )

    def held(self, identifier: str, holder_code: str, type_name: str) -> licence_pb2.GetHeldLicenceResponse:
        request = licence_pb2.GetHeldLicenceRequest(
            identifier=identifier, holder_code=holder_code, type_name=type_name
        )
        with bound(principal=SYSTEM):
            return self._stub.GetHeldLicence(request)
