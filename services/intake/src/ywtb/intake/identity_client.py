"""The applicant as identity knows them, over gRPC through IdentityService.GetApplicant."""

from __future__ import annotations

from typing import Protocol

from ywtb.api.identity.v1 import identity_pb2, identity_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.context import bound
from ywtb.common.grpc import channel

GET_APPLICANT = "ywtb.api.identity.v1.IdentityService/GetApplicant"


class IdentityClient(Protocol):
    """Whom the calling person may apply as (tests pass a fake servicer on a real server)."""

    def applicant(self, person: Principal, credit_code: str = "") -> identity_pb2.GetApplicantResponse:
        """The verified person, and the legal person when they are its agent now; PermissionDenied otherwise."""


class GrpcIdentityClient:
    """IdentityService.GetApplicant with a deadline and retries on UNAVAILABLE, as the caller."""

    def __init__(self, target: str, signing_key: bytes, *, timeout_s: float = 3.0) -> None:
        self._stub = identity_pb2_grpc.IdentityServiceStub(
            channel(
                target,
                signing_key=signing_key,
                idempotent_methods=[GET_APPLICANT],
                default_timeout_s=timeout_s,
            )
        )

    def applicant(self, person: Principal, credit_code: str = "") -> identity_pb2.GetApplicantResponse:
        request = identity_pb2.GetApplicantRequest(person_id=person.subject, credit_code=credit_code)
        with bound(principal=person):  # asked as the person, so identity answers only for themself
            return self._stub.GetApplicant(request)
