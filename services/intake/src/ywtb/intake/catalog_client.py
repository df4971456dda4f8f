"""The catalogue as intake sees it: one published guide version, over gRPC through CatalogService."""

from __future__ import annotations

from typing import Any, Protocol

from google.protobuf import json_format

from ywtb.api.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from ywtb.common.errors import FailedPrecondition, NotFound
from ywtb.common.grpc import channel

GET_GUIDE = "ywtb.api.catalog.v1.CatalogService/GetGuide"


class CatalogClient(Protocol):
    """Reads a published item version (tests pass a fake servicer on a real server)."""

    def get_guide(self, item_id: str, version: int) -> catalog_pb2.GuideVersion:
        """The published version (0 = the live one); NotFound when there is none."""


class GrpcCatalogClient:
    """CatalogService.GetGuide with a deadline and retries on UNAVAILABLE."""

    def __init__(self, target: str, signing_key: bytes, *, timeout_s: float = 3.0) -> None:
        self._stub = catalog_pb2_grpc.CatalogServiceStub(
            channel(
                target, signing_key=signing_key, idempotent_methods=[GET_GUIDE], default_timeout_s=timeout_s
            )
        )

    def get_guide(self, item_id: str, version: int) -> catalog_pb2.GuideVersion:
        request = catalog_pb2.GetGuideRequest(item_id=item_id, version=version)
        return self._stub.GetGuide(request).guide


def item_snapshot(version: catalog_pb2.GuideVersion) -> dict[str, Any]:
    """What a case keeps of the item version it was submitted under (versions are immutable)."""
    guide = version.guide
    if not version.item_id or version.version <= 0:
        raise NotFound("未找到该事项的已发布版本，请刷新办事指南后重新申报。", code="ITEM_NOT_PUBLISHED")
    if not guide.name:
        raise FailedPrecondition("该事项的办事指南不完整，暂时无法申报，请联系事项所属部门。")
    return {
        "name": guide.name,
        "tenant": version.tenant,
        "dept": version.dept,
        "dept_name": version.dept_name,
        "basic_code": version.basic_code,
        "implementation_code": version.implementation_code,
        "process": version.process or guide.process,
        "case_type": int(guide.case_type),
        "promised_limit": {"value": guide.promised_limit.value, "unit": int(guide.promised_limit.unit)},
        "legal_limit": {"value": guide.legal_limit.value, "unit": int(guide.legal_limit.unit)},
        "service_objects": [int(s) for s in guide.service_objects],
        "materials": [
            {
                "name": m.name,
                "required": m.required,
                "may_be_missing": m.may_be_missing,
                "source": int(m.source),
                "standard": m.standard,
            }
            for m in guide.materials
        ],
        "form_schema": json_format.MessageToDict(guide.form_schema) if guide.HasField("form_schema") else {},
    }
