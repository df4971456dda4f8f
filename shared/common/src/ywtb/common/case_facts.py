"""What a service reads of a case from its peers: its holder (intake) and its item version's guide (catalog).

The licence service reads the result it issues; the payment service the fees it charges."""

from __future__ import annotations

from typing import Protocol

from ywtb.api.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from ywtb.api.intake.v1 import intake_pb2, intake_pb2_grpc
from ywtb.common.auth.principal import SYSTEM
from ywtb.common.context import bound
from ywtb.common.grpc import channel

GET_CASE_HOLDER = "ywtb.api.intake.v1.IntakeService/GetCaseHolder"
GET_GUIDE = "ywtb.api.catalog.v1.CatalogService/GetGuide"


class CaseFacts(Protocol):
    """The facts of a case kept by intake and the catalogue (tests pass fakes)."""

    def holder(self, case_no: str, fields: list[str]) -> intake_pb2.GetCaseHolderResponse:
        """The case's holder in clear and the form's values of `fields`."""

    def guide(self, item_id: str, version: int) -> catalog_pb2.Guide:
        """The guide of the item version the case was submitted under."""

    def item(self, item_id: str) -> catalog_pb2.GuideVersion:
        """The item's live published version: its tenant, department and guide."""


class GrpcCaseFacts:
    """IntakeService.GetCaseHolder and CatalogService.GetGuide as the service itself, with retries."""

    def __init__(
        self, intake_target: str, catalog_target: str | None, signing_key: bytes, *, timeout_s: float = 3.0
    ):
        self._intake = intake_pb2_grpc.IntakeServiceStub(
            channel(
                intake_target,
                signing_key=signing_key,
                principal=SYSTEM,
                idempotent_methods=[GET_CASE_HOLDER],
                default_timeout_s=timeout_s,
            )
        )
        self._catalog = (  # None for a service that reads only holders
            catalog_pb2_grpc.CatalogServiceStub(
                channel(
                    catalog_target,
                    signing_key=signing_key,
                    idempotent_methods=[GET_GUIDE],
                    default_timeout_s=timeout_s,
                )
            )
            if catalog_target
            else None
        )

    def holder(self, case_no: str, fields: list[str]) -> intake_pb2.GetCaseHolderResponse:
        # The service asks as itself, also inside a clerk's call: the clerk's right was checked here first.
        with bound(principal=SYSTEM):
            return self._intake.GetCaseHolder(intake_pb2.GetCaseHolderRequest(case_no=case_no, fields=fields))

    def guide(self, item_id: str, version: int) -> catalog_pb2.Guide:
        return self._version(item_id, version).guide

    def item(self, item_id: str) -> catalog_pb2.GuideVersion:
        return self._version(item_id, 0)

    def _version(self, item_id: str, version: int) -> catalog_pb2.GuideVersion:
        if self._catalog is None:
            raise RuntimeError("GrpcCaseFacts made without a catalog target reads no guide")
        return self._catalog.GetGuide(catalog_pb2.GetGuideRequest(item_id=item_id, version=version)).guide
