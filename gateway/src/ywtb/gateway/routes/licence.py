"""电子证照 REST routes: the licence type catalogue (证照目录), read by anyone, defined by department admins;
verification of a licence by identifier, QR code text or file, open to anyone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, READ, WRITE, answers
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.credentials import build_credentials_router
from ywtb.gateway.routes.files import BINARY, content_disposition, file_part, upload_body
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.licence.v1.LicenceService"
READS = [
    f"{SERVICE}/{m}"
    for m in (
        "GetLicenceType",
        "ListLicenceTypes",
        "VerifyLicence",
        "ListMyLicences",
        "GetMyLicenceFile",
        "ListIssuedLicences",
        "VerifyCredential",
        "VerifyPresentation",
        "GetIssuerDocument",
        "GetStatusListCredential",
    )
]

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


RevocationIn = input_model(
    pb.RevokeLicenceRequest.DESCRIPTOR,
    exclude=("identifier",),
    required=("kind", "reason"),
    rules={"reason": Field(min_length=2, max_length=200)},
)


IssueIn = input_model(pb.IssueLicenceRequest.DESCRIPTOR, exclude=("case_no", "item_id"))
ReissueIn = input_model(pb.ReissueLicenceRequest.DESCRIPTOR, exclude=("identifier",), required=("kind",))


ShareIn = input_model(
    pb.CreateShareRequest.DESCRIPTOR, exclude=("identifier",), rules={"minutes": Field(ge=0, le=1440)}
)
TOKEN = r"^[A-Za-z0-9_-]{43}$"


def build_licence_router() -> APIRouter:
    """Routes under /api/v1/licence for the licence service, and its W3C credential routes (the VC-API's)."""
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

    @router.get(
        "/licences/mine",
        summary="我的证照（本人或本单位经办的办件所发证照）",
        **answers(pb.Licence, many=True),
    )
    async def my_licences(
        principal: CurrentPrincipal,
        stub: Stub,
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        reply = await stub.ListMyLicences(pb.ListMyLicencesRequest(page_size=page_size, offset=offset))
        return [to_json(licence) for licence in reply.licences]

    @router.get(
        "/licences/{identifier}/file",
        summary="下载我的电子证照 PDF",
        response_class=Response,
        openapi_extra={"responses": {"200": {"content": {"application/pdf": BINARY}}}},
        **answers(None, errors=READ),
    )
    async def my_licence_file(identifier: str, principal: CurrentPrincipal, stub: Stub) -> Response:
        reply = await stub.GetMyLicenceFile(pb.GetMyLicenceFileRequest(identifier=identifier))
        name = f"{reply.licence.type_name}-{reply.licence.licence_no}.pdf"
        headers = {"Content-Disposition": content_disposition(name, "attachment")}
        return Response(reply.file, media_type="application/pdf", headers=headers)

    @router.get(
        "/licences/{identifier}/verification",
        summary="核验电子证照（按证照标识，无需登录）",
        **answers(pb.VerifyLicenceResponse, errors=PUBLIC),
    )
    async def verify_by_identifier(
        identifier: str, principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        return to_json(await stub.VerifyLicence(pb.VerifyLicenceRequest(identifier=identifier)))

    @router.get(
        "/licences/verification",
        summary="核验电子证照（按扫描所得的二维码内容，无需登录）",
        **answers(pb.VerifyLicenceResponse, errors=PUBLIC),
    )
    async def verify_by_qr(
        principal: OptionalPrincipal, stub: Stub, qr: Annotated[str, Query(min_length=1, max_length=300)]
    ) -> dict[str, Any]:
        return to_json(await stub.VerifyLicence(pb.VerifyLicenceRequest(qr_payload=qr)))

    @router.post(
        "/licences/verification/file",
        summary="核验电子证照（上传证照 PDF 文件，无需登录）",
        openapi_extra={"requestBody": upload_body("电子证照 PDF 文件（不超过 5 MB）")},
        **answers(pb.VerifyLicenceResponse, errors=(401, 403, 404, 413, 422)),
    )
    async def verify_by_file(request: Request, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        _name, content = file_part(request.headers.get("content-type", ""), await request.body())
        return to_json(await stub.VerifyLicence(pb.VerifyLicenceRequest(file=content)))

    @router.post(
        "/licences/{identifier}/revocation",
        summary="注销电子证照（发证部门的审批人员或部门管理员，须说明理由）",
        **answers(pb.Licence, errors=WRITE),
    )
    async def revoke(
        identifier: str,
        body: RevocationIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RevokeLicenceRequest(identifier=identifier))
        return to_json((await stub.RevokeLicence(request)).licence)

    @router.post(
        "/licences/{identifier}/versions",
        summary="变更或延续电子证照：签发新版本，原版本作废（发证部门的审批人员或部门管理员）",
        **answers(pb.Licence, status=201, errors=WRITE),
    )
    async def reissue(
        identifier: str,
        body: ReissueIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.ReissueLicenceRequest(identifier=identifier))
        return to_json((await stub.ReissueLicence(request)).licence)

    @router.post(
        "/licences/{identifier}/shares",
        summary="亮证：生成限时分享链接（持证人本人）",
        **answers(pb.CreateShareResponse, status=201, errors=WRITE),
    )
    async def share(
        identifier: str,
        body: ShareIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        return to_json(await stub.CreateShare(to_proto(body, pb.CreateShareRequest(identifier=identifier))))

    @router.get(
        "/licences/{identifier}/shares/views",
        summary="亮证记录：谁在何时查看了我的证照（持证人本人）",
        **answers(pb.ShareViewRecord, many=True),
    )
    async def share_views(identifier: str, principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListShareViews(pb.ListShareViewsRequest(identifier=identifier))
        return [to_json(view) for view in reply.views]

    @router.get(
        "/shares/{token}",
        summary="查看亮证链接中的证照（无需登录；每次查看都告知持证人）",
        **answers(pb.ViewShareResponse, errors=(401, 404, 409, 422)),
    )
    async def view_share(
        token: Annotated[str, Path(pattern=TOKEN)], principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        return to_json(await stub.ViewShare(pb.ViewShareRequest(token=token)))

    @router.get(
        "/issuers/{issuer}/status-list",
        summary="发证机关的证照注销列表（带电子印章签名，无需登录）",
        **answers(pb.GetStatusListResponse, errors=PUBLIC),
    )
    async def status_list(issuer: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(await stub.GetStatusList(pb.GetStatusListRequest(issuer=issuer)))

    @router.get(
        "/issuances",
        summary="出证台：本部门待出证的办件（窗口人员、审批人员）",
        **answers(pb.Issuance, many=True),
    )
    async def issuances(principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListIssuances(pb.ListIssuancesRequest())
        return [to_json(issuance) for issuance in reply.issuances]

    @router.post(
        "/issuances/{case_no}/{item_id}/licence",
        summary="出证：填写证照字段后签发（窗口人员、审批人员）",
        **answers(pb.Licence, status=201, errors=WRITE),
    )
    async def issue(
        case_no: str,
        item_id: str,
        body: IssueIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.IssueLicenceRequest(case_no=case_no, item_id=item_id))
        return to_json((await stub.IssueLicence(request)).licence)

    @router.get(
        "/licences/issued",
        summary="发证台账：本部门签发的证照，可按证照编号、持证人或办件编号查找（审批人员、部门管理员）",
        **answers(pb.Licence, many=True),
    )
    async def issued(
        principal: CurrentPrincipal,
        stub: Stub,
        q: Annotated[str, Query(max_length=64)] = "",
        status: Annotated[
            str, Query(pattern=r"^(|LICENCE_STATUS_VALID|LICENCE_STATUS_REVOKED|LICENCE_STATUS_SUPERSEDED)$")
        ] = "",
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        request = pb.ListIssuedLicencesRequest(
            query=q,
            status=pb.LicenceStatus.Value(status) if status else 0,
            page_size=page_size,
            offset=offset,
        )
        return [to_json(licence) for licence in (await stub.ListIssuedLicences(request)).licences]

    whole = APIRouter()
    whole.include_router(router)
    whole.include_router(build_credentials_router())
    return whole
