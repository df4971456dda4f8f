"""统一受理 REST routes: material upload, online and window submission, my cases, the clerk's queue and actions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.errors import InvalidArgument
from ywtb.gateway.auth import CurrentPrincipal
from ywtb.gateway.contract.answers import READ, WRITE, answers, replayed
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub, ResponseStream
from ywtb.gateway.routes.files import BINARY, content_disposition, file_part, upload_body
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.intake.v1.IntakeService"
READS = [f"{SERVICE}/{m}" for m in ("GetCase", "ListMyCases", "ListCases", "ListCaseMaterials")]
DOWNLOAD_TIMEOUT_S = 120.0  # the whole stream of one file (at most the upload limit, 10 MiB by default)
STATUSES = {
    "": 0,
    **{name.removeprefix("CASE_STATUS_").lower(): value for name, value in pb.CaseStatus.items() if value},
}
STATUS_PATTERN = "^(" + "|".join(k for k in STATUSES if k) + ")?$"
# Request bodies: the proto request less what the path gives.
SubmitIn = input_model(pb.SubmitCaseRequest.DESCRIPTOR)
CorrectionIn = input_model(pb.RequestCorrectionRequest.DESCRIPTOR, exclude=("case_no",))
SupplementIn = input_model(pb.SupplementCaseRequest.DESCRIPTOR, exclude=("case_no",))
AcceptIn = input_model(pb.AcceptCaseRequest.DESCRIPTOR, exclude=("case_no",))
AttachIn = input_model(
    pb.AttachLicenceRequest.DESCRIPTOR,
    required=("identifier", "consent"),
    rules={"identifier": Field(min_length=1, max_length=120), "type_name": Field(max_length=50)},
)
RejectIn = input_model(pb.RejectCaseRequest.DESCRIPTOR, exclude=("case_no",))
UPLOAD_BODY = upload_body("材料文件")
MATERIAL_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/ofd")


Stub = Annotated[AsyncStub, Depends(app_state("intake"))]  # ywtb.api.intake.v1.IntakeService


def _cases(reply: Any) -> list[dict[str, Any]]:
    return [to_json(c) for c in reply.cases]


async def _chunks(stream: ResponseStream) -> AsyncIterator[bytes]:
    async for message in stream:
        yield message.chunk


def build_intake_router() -> APIRouter:
    """Routes under /api/v1/cases for the intake service."""
    router = APIRouter(prefix="/api/v1/cases", tags=["统一受理"])

    @router.post(
        "/materials",
        summary="上传申请材料（PDF、JPG、PNG、OFD）",
        openapi_extra={"requestBody": UPLOAD_BODY},
        **answers(pb.UploadedFile, status=201, errors=(401, 403, 413, 422)),
    )
    async def upload(request: Request, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        file_name, content = file_part(request.headers.get("content-type", ""), await request.body())
        request_pb = pb.UploadMaterialRequest(file_name=file_name, content=content)
        reply = await stub.UploadMaterial(request_pb)
        return to_json(reply.file)

    @router.post(
        "/materials/licence",
        summary="一证通办：调取本人持有的电子证照作为申请材料（须同意调取）",
        **answers(pb.UploadedFile, status=201, errors=WRITE),
    )
    async def attach_licence(body: AttachIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        reply = await stub.AttachLicence(to_proto(body, pb.AttachLicenceRequest()))
        return to_json(reply.file)

    @router.post(
        "",
        summary="申办（在线申请须带 Idempotency-Key 请求头）",
        **answers(pb.Case, status=201, errors=WRITE),
        # A retry with the same Idempotency-Key answers the case created the first time.
        openapi_extra=replayed(pb.Case, "重复提交：首次创建的办件"),
    )
    async def submit(
        body: SubmitIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
        response: Response,
        idempotency_key: Annotated[str, Header(max_length=128)] = "",
    ) -> dict[str, Any]:
        request = to_proto(body, pb.SubmitCaseRequest())
        online = request.channel in (pb.CHANNEL_UNSPECIFIED, pb.CHANNEL_ONLINE)
        if online and not idempotency_key:
            message = "在线申办须带 Idempotency-Key 请求头，重复提交时使用同一个值。"
            raise InvalidArgument(
                message, code="IDEMPOTENCY_KEY_REQUIRED", fields={"Idempotency-Key": message}
            )
        request.idempotency_key = idempotency_key or request.idempotency_key
        reply = await stub.SubmitCase(request)
        if reply.replayed:
            response.status_code = 200
        return to_json(reply.case)

    @router.get("/mine", summary="我的办件", **answers(pb.Case, many=True))
    async def mine(
        principal: CurrentPrincipal,
        stub: Stub,
        status: Annotated[str, Query(pattern=STATUS_PATTERN)] = "",
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        request = pb.ListMyCasesRequest(status=STATUSES[status], page_size=page_size, offset=offset)
        return _cases(await stub.ListMyCases(request))

    @router.get("", summary="受理队列（窗口人员、监督人员）", **answers(pb.Case, many=True))
    async def queue(
        principal: CurrentPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^\d{6}$")],
        dept: Annotated[str, Query(max_length=18)] = "",
        status: Annotated[str, Query(pattern=STATUS_PATTERN)] = "",
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        request = pb.ListCasesRequest(
            tenant=tenant, dept=dept, status=STATUSES[status], page_size=page_size, offset=offset
        )
        return _cases(await stub.ListCases(request))

    @router.get("/{case_no}", summary="办件详情", **answers(pb.Case))
    async def get_case(case_no: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetCase(pb.GetCaseRequest(case_no=case_no))).case)

    @router.get(
        "/{case_no}/materials",
        summary="办件材料清单（名称、类型、大小、SHA-256）",
        **answers(pb.CaseMaterialFile, many=True),
    )
    async def case_materials(case_no: str, principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListCaseMaterials(pb.ListCaseMaterialsRequest(case_no=case_no))
        return [to_json(f) for f in reply.files]

    @router.get(
        "/{case_no}/materials/{material_id}/content",
        summary="查看或下载办件材料（与办件详情同样的权限）",
        response_class=StreamingResponse,
        **answers(None, errors=READ, description="材料文件内容（类型以文件内容识别）"),
        openapi_extra={"responses": {"200": {"content": dict.fromkeys(MATERIAL_TYPES, BINARY)}}},
    )
    async def material_content(
        case_no: str, material_id: str, principal: CurrentPrincipal, stub: Stub
    ) -> StreamingResponse:
        request = pb.GetMaterialContentRequest(case_no=case_no, file_id=material_id)
        stream = stub.GetMaterialContent(request, timeout=DOWNLOAD_TIMEOUT_S)
        file = (await anext(stream)).file  # a refusal (403, 404) surfaces here, before any byte is sent
        headers = {
            "Content-Disposition": content_disposition(file.file_name),
            "Content-Length": str(file.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{file.sha256}"',
        }
        return StreamingResponse(_chunks(stream), media_type=file.content_type, headers=headers)

    @router.post("/{case_no}/correction-request", summary="一次性告知补正", **answers(pb.Case, errors=WRITE))
    async def correction(
        case_no: str,
        body: CorrectionIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RequestCorrectionRequest())
        request.case_no = case_no
        return to_json((await stub.RequestCorrection(request)).case)

    @router.post("/{case_no}/supplement", summary="补正材料并重新提交", **answers(pb.Case, errors=WRITE))
    async def supplement(
        case_no: str,
        body: SupplementIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.SupplementCaseRequest())
        request.case_no = case_no
        return to_json((await stub.SupplementCase(request)).case)

    @router.post(
        "/{case_no}/accept", summary="受理（含容缺受理、告知承诺）", **answers(pb.Case, errors=WRITE)
    )
    async def accept(
        case_no: str,
        body: AcceptIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.AcceptCaseRequest())
        request.case_no = case_no
        return to_json((await stub.AcceptCase(request)).case)

    @router.post("/{case_no}/reject", summary="不予受理（须说明理由）", **answers(pb.Case, errors=WRITE))
    async def reject(
        case_no: str,
        body: RejectIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RejectCaseRequest())
        request.case_no = case_no
        return to_json((await stub.RejectCase(request)).case)

    return router
