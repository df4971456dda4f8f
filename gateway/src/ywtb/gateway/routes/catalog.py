"""事项目录 REST routes: citizen search and guides (public), implementation-list editing and review (staff).

The citizens' hot reads (search, guide, versions) answer json_reply: rendered once, same bytes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, WRITE, answers
from ywtb.gateway.contract.models import INT32_MAX, input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, json_reply, to_json, to_proto

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


Stub = Annotated[AsyncStub, Depends(app_state("catalog"))]  # ywtb.api.catalog.v1.CatalogService


ClaimIn = input_model(
    pb.ClaimItemRequest.DESCRIPTOR,
    required=("tenant", "dept", "dept_name", "basic_code"),
    rules={
        "tenant": Field(pattern=r"^\d{6}$"),
        "dept": Field(min_length=18, max_length=18),
        "dept_name": Field(min_length=1, max_length=200),
        "basic_code": Field(min_length=1, max_length=12),
    },
)
GuideIn = input_model(
    pb.UpdateGuideRequest.DESCRIPTOR,
    exclude=("item_id",),
    required=("guide",),
    rules={"keywords": Field(max_length=500), "expected_revision": Field(ge=0)},
)
REASON = {"reason": Field(min_length=1, max_length=1000)}
ReturnIn = input_model(
    pb.ReturnItemRequest.DESCRIPTOR, exclude=("item_id",), required=("reason",), rules=REASON
)
WithdrawIn = input_model(
    pb.WithdrawItemRequest.DESCRIPTOR, exclude=("item_id",), required=("reason",), rules=REASON
)
ImportIn = input_model(pb.ImportBasicCatalogueRequest.DESCRIPTOR)
BundleIn = input_model(pb.CreateBundleRequest.DESCRIPTOR)


def build_catalog_router() -> APIRouter:
    """Routes under /api/v1/catalog for the catalog service."""
    router = APIRouter(prefix="/api/v1/catalog", tags=["事项目录"])

    @router.get(
        "/search",
        summary="事项搜索（中文、拼音、首字母、容错）",
        **answers(pb.SearchItemsResponse, errors=PUBLIC),
    )
    async def search(
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
    ) -> JSONResponse:
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
        return json_reply(to_json(await stub.SearchItems(request)))

    @router.get(
        "/items/{item_id}/guide",
        summary="办事指南（最新发布版或指定版本）",
        **answers(pb.GuideVersion, errors=PUBLIC),
    )
    async def guide(
        item_id: str,
        principal: OptionalPrincipal,
        stub: Stub,
        version: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    ) -> JSONResponse:
        reply = await stub.GetGuide(pb.GetGuideRequest(item_id=item_id, version=version))
        return json_reply(to_json(reply.guide))

    @router.get(
        "/items/{item_id}/versions",
        summary="已发布版本",
        **answers(pb.GuideVersion, many=True, errors=PUBLIC),
    )
    async def versions(item_id: str, principal: OptionalPrincipal, stub: Stub) -> JSONResponse:
        reply = await stub.ListItemVersions(pb.ListItemVersionsRequest(item_id=item_id))
        return json_reply([to_json(v) for v in reply.versions])

    @router.get("/items", summary="实施清单（工作人员）", **answers(pb.Item, many=True))
    async def list_items(
        principal: CurrentPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^\d{6}$")],
        dept: str = "",
        status: Annotated[str, Query(pattern="^(" + "|".join(k for k in STATUSES if k) + ")?$")] = "",
    ) -> list[dict[str, Any]]:
        reply = await stub.ListItems(pb.ListItemsRequest(tenant=tenant, dept=dept, status=STATUSES[status]))
        return [to_json(i) for i in reply.items]

    @router.get("/items/{item_id}", summary="实施清单事项（含草稿）", **answers(pb.Item))
    async def get_item(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetItem(pb.GetItemRequest(item_id=item_id))).item)

    @router.post("/items", summary="认领事项", **answers(pb.Item, status=201, errors=WRITE))
    async def claim(body: ClaimIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.ClaimItem(to_proto(body, pb.ClaimItemRequest()))).item)

    @router.put("/items/{item_id}/guide", summary="编辑办事指南", **answers(pb.Item, errors=WRITE))
    async def edit(item_id: str, body: GuideIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.UpdateGuide(to_proto(body, pb.UpdateGuideRequest(item_id=item_id)))).item)

    @router.post(
        "/items/{item_id}/submit", summary="上报审核", **answers(pb.SubmitItemResponse, errors=WRITE)
    )
    async def submit(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(await stub.SubmitItem(pb.SubmitItemRequest(item_id=item_id)))

    @router.post("/items/{item_id}/return", summary="退回（须说明理由）", **answers(pb.Item, errors=WRITE))
    async def return_item(
        item_id: str, body: ReturnIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.ReturnItem(to_proto(body, pb.ReturnItemRequest(item_id=item_id)))).item)

    @router.post("/items/{item_id}/approve", summary="审核通过", **answers(pb.Item, errors=WRITE))
    async def approve(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.ApproveItem(pb.ApproveItemRequest(item_id=item_id))).item)

    @router.post(
        "/items/{item_id}/publish",
        summary="发布（生成新版本）",
        **answers(pb.PublishItemResponse, errors=WRITE),
    )
    async def publish(item_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(await stub.PublishItem(pb.PublishItemRequest(item_id=item_id)))

    @router.post("/items/{item_id}/withdraw", summary="撤回", **answers(pb.Item, errors=WRITE))
    async def withdraw(
        item_id: str, body: WithdrawIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(
            (await stub.WithdrawItem(to_proto(body, pb.WithdrawItemRequest(item_id=item_id)))).item
        )

    @router.get("/basic-items", summary="基本目录", **answers(pb.BasicItem, many=True, errors=PUBLIC))
    async def basic_items(
        principal: OptionalPrincipal, stub: Stub, claimable_only: bool = False
    ) -> list[dict[str, Any]]:
        reply = await stub.ListBasicItems(pb.ListBasicItemsRequest(claimable_only=claimable_only))
        return [to_json(i) for i in reply.items]

    @router.get("/basic-items/{basic_code}", summary="基本目录事项", **answers(pb.BasicItem, errors=PUBLIC))
    async def basic_item(basic_code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetBasicItem(pb.GetBasicItemRequest(basic_code=basic_code))).item)

    @router.post(
        "/basic-catalogue",
        summary="导入基本目录版本（省级）",
        **answers(pb.ImportBasicCatalogueResponse, errors=WRITE),
    )
    async def import_basic(body: ImportIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.ImportBasicCatalogue(to_proto(body, pb.ImportBasicCatalogueRequest())))

    @router.get("/bundles", summary="一件事列表", **answers(pb.Bundle, many=True, errors=PUBLIC))
    async def bundles(
        principal: OptionalPrincipal, stub: Stub, tenant: Annotated[str, Query(pattern=r"^(\d{6})?$")] = ""
    ) -> list[dict[str, Any]]:
        return [to_json(b) for b in (await stub.ListBundles(pb.ListBundlesRequest(tenant=tenant))).bundles]

    @router.get("/bundles/{code}", summary="一件事（合并材料清单）", **answers(pb.Bundle, errors=PUBLIC))
    async def bundle(code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetBundle(pb.GetBundleRequest(code=code))).bundle)

    @router.post("/bundles", summary="新建一件事", **answers(pb.Bundle, status=201, errors=WRITE))
    async def create_bundle(body: BundleIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.CreateBundle(to_proto(body, pb.CreateBundleRequest()))).bundle)

    return router
