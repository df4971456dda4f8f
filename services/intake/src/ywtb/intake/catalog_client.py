"""The catalogue as intake sees it: one published guide version, over gRPC through CatalogService."""

from __future__ import annotations

from typing import Any, Protocol

from google.protobuf import json_format

from ywtb.api.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from ywtb.common.errors import FailedPrecondition, NotFound
from ywtb.common.forms import merged_form_schema
from ywtb.common.grpc import channel

GET_GUIDE = "ywtb.api.catalog.v1.CatalogService/GetGuide"
GET_BUNDLE = "ywtb.api.catalog.v1.CatalogService/GetBundle"


class CatalogClient(Protocol):
    """Reads a published item version (tests pass a fake servicer on a real server)."""

    def get_guide(self, item_id: str, version: int) -> catalog_pb2.GuideVersion:
        """The published version (0 = the live one); NotFound when there is none."""

    def bundle(self, code: str) -> catalog_pb2.Bundle:
        """A 一件事 bundle with the live versions of its items and its merged materials; NotFound when none."""


class GrpcCatalogClient:
    """CatalogService.GetGuide / GetBundle with a deadline and retries on UNAVAILABLE."""

    def __init__(self, target: str, signing_key: bytes, *, timeout_s: float = 3.0) -> None:
        self._stub = catalog_pb2_grpc.CatalogServiceStub(
            channel(
                target,
                signing_key=signing_key,
                idempotent_methods=[GET_GUIDE, GET_BUNDLE],
                default_timeout_s=timeout_s,
            )
        )

    def get_guide(self, item_id: str, version: int) -> catalog_pb2.GuideVersion:
        request = catalog_pb2.GetGuideRequest(item_id=item_id, version=version)
        return self._stub.GetGuide(request).guide

    def bundle(self, code: str) -> catalog_pb2.Bundle:
        return self._stub.GetBundle(catalog_pb2.GetBundleRequest(code=code)).bundle


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
        "min_real_name_level": guide.min_real_name_level,
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


def item_code(version: catalog_pb2.GuideVersion) -> str:
    """A stable per-item code: the implementation code, else the basic code, else the item id."""
    return version.implementation_code or version.basic_code or version.item_id


def bundle_snapshot(bundle: catalog_pb2.Bundle) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a 一件事 case keeps: an item-like snapshot (the first item leads: its department accepts)
    with the merged materials and form schema, plus the bundled items (item_id, version, dept, code, name).

    Every item's own snapshot is kept under "parts" so the promised date can take the longest limit.
    """
    if not bundle.code or not bundle.items:
        raise NotFound("未找到该“一件事”或其中没有已发布的事项。", code="BUNDLE_NOT_FOUND")
    if bundle.unavailable_item_ids:
        raise FailedPrecondition(
            "该“一件事”中有事项暂停办理，暂时无法联办申报，请联系服务窗口。",
            code="BUNDLE_ITEM_UNAVAILABLE",
            message_en=f"bundle items not published: {', '.join(bundle.unavailable_item_ids)}",
        )
    parts = [item_snapshot(version) for version in bundle.items]
    lead = parts[0]
    objects: list[int] = []
    for part in parts:
        if part["service_objects"]:
            objects = (
                [o for o in objects if o in part["service_objects"]] if objects else part["service_objects"]
            )
    item = {
        **lead,
        "name": bundle.name or lead["name"],
        "tenant": bundle.tenant or lead["tenant"],
        "process": bundle.process or "joint-default",
        "service_objects": objects,
        "min_real_name_level": max(p["min_real_name_level"] for p in parts),
        "materials": [
            {
                "name": m.material.name,
                "required": m.material.required,
                "may_be_missing": m.material.may_be_missing,
                "source": int(m.material.source),
                "standard": m.material.standard,
                "item_ids": list(m.item_ids),
            }
            for m in bundle.materials
        ],
        "form_schema": merged_form_schema([p["form_schema"] for p in parts]),
        "bundle_code": bundle.code,
        "parts": [
            {
                "item_id": v.item_id,
                "case_type": p["case_type"],
                "promised_limit": p["promised_limit"],
                "legal_limit": p["legal_limit"],
            }
            for v, p in zip(bundle.items, parts, strict=True)
        ],
    }
    items = [
        {
            "item_id": v.item_id,
            "version": v.version,
            "dept": v.dept,
            "dept_name": v.dept_name,
            "code": item_code(v),
            "name": p["name"],
        }
        for v, p in zip(bundle.items, parts, strict=True)
    ]
    return item, items
