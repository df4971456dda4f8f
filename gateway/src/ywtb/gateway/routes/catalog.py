"""事项目录 REST routes: citizen search and guides (public), implementation-list editing and review (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.routes.grpc_json import app_state, from_json, to_json

SERVICE = "ywtb.api.catalog.v1.CatalogService"
READS = [
    f"{SERVICE}/{m}"
    for m in (
        "GetBasicItem",
        "ListBasicItems",
        "GetItem",
        "ListItems",
        "GetGuide",
        "ListItemVersions",
        "SearchItems",
        "GetBundle",
        "ListBundles",
    )
]
SERVICE_OBJECTS = {
    "": 0,
    "natural_person": pb.SERVICE_OBJECT_NATURAL_PERSON,
    "legal_person": pb.SERVICE_OBJECT_LEGAL_PERSON,
}
STATUSES = {
    "": 0,
    **{name.removeprefix("ITEM_STATUS_").lower(): value for name, value in pb.ItemStatus.items() if value},
}
JsonBody = Annotated[dict[str, Any], Body()]


Stub = Annotated[catalog_pb2_grpc.CatalogServiceStub, Depends(app_state("catalog"))]


class ClaimIn(BaseModel):
    tenant: str = Field(pattern=r"^\d{6}$")
    dept: str = Field(min_length=18, max_length=18)
    dept_name: str = Field(min_length=1, max_length=200)
    basic_code: str = Field(min_length=1, max_length=12)


class GuideIn(BaseModel):
    guide: dict[str, Any] = Field(description="办事指南要素（字段名同 catalog.proto 的 Guide）")
    keywords: str = Field(default="", max_length=500)
    expected_revision: int = Field(default=0, ge=0)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


def build_catalog_router() -> APIRouter:
    """Routes under /api/v1/catalog for the catalog service."""
    router = APIRouter(prefix="/api/v1/catalog", tags=["事项目录"])

    @router.get("/search", summary="事项搜索（中文、拼音、首字母、容错）")
    def search(
        principal: OptionalPrincipal,
        stub: Stub,
        q: Annotated[str, Query(max_length=100)] = "",
        tenant: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
        service_object: Annotated[str, Query(pattern="^(natural_person|legal_person)?$")] = "",
        theme: Annotated[str, Query(max_length=50)] = "",
        dept: Annotated[str, Query(max_length=18)] = "",
        min_online_depth: Annotated[int, Query(ge=0, le=7)] = 0,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10000)] = 0,
    ) -> dict[str, Any]:
        request = pb.SearchItemsRequest(
            query=q,
            tenant=tenant,
            service_object=SERVICE_OBJECTS[service_object],
            theme=theme,
            dept=dept,
            min_online_depth=min_online_depth,
            page_size=page_size,
            offset=offset,
        )
        return to_json(stub.SearchItems(request))

    @router.get("/items/{item_id}/guide", summary="办事指南（最新发布版或指定版本）")
    def guide(
        item_id: str, principal: OptionalPrincipal, stub: Stub, version: Annotated[int, Query(ge=0)] = 0
    ) -> dict[str, Any]:
        return to_json(stub.GetGuide(pb.GetGuideRequest(item_id=item_id, version=version)).guide)

    @router.get("/items/{item_id}/versions", summary="已发布版本")
    def versions(item_id: str, principal: OptionalPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = stub.ListItemVersions(pb.ListItemVersionsRequest(item_id=item_id))
        return [to_json(v) for v in reply.versions]

    @router.get("/items", summary="实施清单（工作人员）")
    def list_items(
        principal: CurrentPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^\d{6}$")],
        dept: str = "",
        status: Annotated[str, Query(pattern="^(" + "|".join(k for k in STATUSES if k) + ")?$")] = "",
    ) -> list[dict[str, Any]]:
        reply = stub.ListItems(pb.ListItemsRequest(tenant=tenant, dept=dept, status=STATUSES[status]))
        return [to_json(i) for i in reply.items]

    @router.get("/items/{item_id}", summary="实施清单事项（含草稿）")
    def get_item(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetItem(pb.GetItemRequest(item_id=item_id)).item)

    @router.post("/items", status_code=201, summary="认领事项")
    def claim(body: ClaimIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ClaimItem(pb.ClaimItemRequest(**body.model_dump())).item)

    @router.put("/items/{item_id}/guide", summary="编辑办事指南")
    def edit(item_id: str, body: GuideIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        request = pb.UpdateGuideRequest(
            item_id=item_id,
            guide=from_json(body.guide, pb.Guide(), "guide"),
            keywords=body.keywords,
            expected_revision=body.expected_revision,
        )
        return to_json(stub.UpdateGuide(request).item)

    @router.post("/items/{item_id}/submit", summary="上报审核")
    def submit(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.SubmitItem(pb.SubmitItemRequest(item_id=item_id)))

    @router.post("/items/{item_id}/return", summary="退回（须说明理由）")
    def return_item(item_id: str, body: ReasonIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ReturnItem(pb.ReturnItemRequest(item_id=item_id, reason=body.reason)).item)

    @router.post("/items/{item_id}/approve", summary="审核通过")
    def approve(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ApproveItem(pb.ApproveItemRequest(item_id=item_id)).item)

    @router.post("/items/{item_id}/publish", summary="发布（生成新版本）")
    def publish(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.PublishItem(pb.PublishItemRequest(item_id=item_id)))

    @router.post("/items/{item_id}/withdraw", summary="撤回")
    def withdraw(item_id: str, body: ReasonIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.WithdrawItem(pb.WithdrawItemRequest(item_id=item_id, reason=body.reason)).item)

    @router.get("/basic-items", summary="基本目录")
    def basic_items(
        principal: OptionalPrincipal, stub: Stub, claimable_only: bool = False
    ) -> list[dict[str, Any]]:
        reply = stub.ListBasicItems(pb.ListBasicItemsRequest(claimable_only=claimable_only))
        return [to_json(i) for i in reply.items]

    @router.get("/basic-items/{basic_code}", summary="基本目录事项")
    def basic_item(basic_code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetBasicItem(pb.GetBasicItemRequest(basic_code=basic_code)).item)

    @router.post("/basic-catalogue", summary="导入基本目录版本（省级）")
    def import_basic(body: JsonBody, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.ImportBasicCatalogue(from_json(body, pb.ImportBasicCatalogueRequest())))

    @router.get("/bundles", summary="一件事列表")
    def bundles(
        principal: OptionalPrincipal, stub: Stub, tenant: Annotated[str, Query(pattern=r"^(\d{6})?$")] = ""
    ) -> list[dict[str, Any]]:
        return [to_json(b) for b in stub.ListBundles(pb.ListBundlesRequest(tenant=tenant)).bundles]

    @router.get("/bundles/{code}", summary="一件事（合并材料清单）")
    def bundle(code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetBundle(pb.GetBundleRequest(code=code)).bundle)

    @router.post("/bundles", status_code=201, summary="新建一件事")
    def create_bundle(body: JsonBody, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.CreateBundle(from_json(body, pb.CreateBundleRequest())).bundle)

    return router
