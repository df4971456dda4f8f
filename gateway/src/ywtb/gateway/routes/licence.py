"""电子证照 REST routes: the licence type catalogue (证照目录), read by anyone, defined by department admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, WRITE, answers
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.licence.v1.LicenceService"
READS = [f"{SERVICE}/{m}" for m in ("GetLicenceType", "ListLicenceTypes")]

Stub = Annotated[AsyncStub, Depends(app_state("licence"))]  # ywtb.api.licence.v1.LicenceService

LicenceTypeIn = input_model(
    pb.DefineLicenceTypeRequest.DESCRIPTOR,
    required=("name", "issue_mode"),
    rules={
        "name": Field(min_length=2, max_length=50),
        "validity_months": Field(ge=0, le=1200),
        "template_title": Field(max_length=50),
    },
)


def build_licence_router() -> APIRouter:
    """Routes under /api/v1/licence for the licence service."""
    router = APIRouter(prefix="/api/v1/licence", tags=["电子证照"])

    @router.get(
        "/types",
        summary="证照目录（某地区、某部门的证照类型）",
        **answers(pb.LicenceType, many=True, errors=PUBLIC),
    )
    async def list_types(
        principal: OptionalPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^\d{6}$")],
        dept: Annotated[str, Query(pattern=r"^([0-9A-Z]{18})?$")] = "",
    ) -> list[dict[str, Any]]:
        reply = await stub.ListLicenceTypes(pb.ListLicenceTypesRequest(tenant=tenant, dept=dept))
        return [to_json(t) for t in reply.licence_types]

    @router.get("/types/{code}", summary="证照类型", **answers(pb.LicenceType, errors=PUBLIC))
    async def get_type(code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetLicenceType(pb.GetLicenceTypeRequest(code=code))).licence_type)

    @router.post(
        "/types",
        summary="定义本部门的证照类型（部门管理员）",
        **answers(pb.LicenceType, status=201, errors=WRITE),
    )
    async def define_type(body: LicenceTypeIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        reply = await stub.DefineLicenceType(to_proto(body, pb.DefineLicenceTypeRequest()))
        return to_json(reply.licence_type)

    return router
