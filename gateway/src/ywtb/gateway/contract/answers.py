"""What an operation answers: its success schema (from the proto) and its error answers in the common shape."""

from __future__ import annotations

from typing import Any, Literal

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from ywtb.api.common.v1 import common_pb2
from ywtb.common.error_codes import ERROR_CODES
from ywtb.gateway.contract.comments import comment
from ywtb.gateway.contract.examples import message_example
from ywtb.gateway.contract.models import field_info, field_type, message_model, model_name

CODES_DOC = "docs/error-codes.md"
ErrorCodeType = Literal[tuple(ERROR_CODES)]  # type: ignore[valid-type]


def _error_detail() -> type[BaseModel]:
    """ywtb.api.common.v1.ErrorDetail as the gateway writes it: `code` from the published list."""
    descriptor = common_pb2.ErrorDetail.DESCRIPTOR
    fields: dict[str, Any] = {}
    for field in descriptor.fields:
        required = field.name in ("code", "message")  # message_en and fields only when they say something
        kind = ErrorCodeType if field.name == "code" else field_type(field, output=True)
        info = field_info(field, output=True, required=required)
        if field.name == "code":
            text = f"{info.description} One of the published codes ({CODES_DOC})."
            info = FieldInfo.merge_field_infos(info, description=text, examples=["CASE_NOT_FOUND"])
        fields[field.name] = (kind, info)
    config = ConfigDict(extra="forbid", title="common.v1.ErrorDetail")
    return create_model("common_v1_ErrorDetail", __config__=config, **fields)


ErrorDetail = _error_detail()


class ErrorResponse(BaseModel):
    """Every error answer of the gateway (codes: docs/error-codes.md)."""

    model_config = ConfigDict(extra="forbid")
    error: ErrorDetail  # type: ignore[valid-type]
    request_id: str = Field(description="The X-Request-ID of the request (finds it in the logs).")


# When each status is answered, as the OpenAPI describes it.
ERROR_DESCRIPTIONS = {
    400: "请求体无法解析（不是 UTF-8 编码的 JSON 等，BAD_REQUEST）",
    401: "未登录或令牌无效（UNAUTHENTICATED、BAD_CREDENTIALS）",
    403: "无权办理：角色、租户或申请人身份不符（PERMISSION_DENIED 等）",
    404: "未找到，或调用者无权看到（…_NOT_FOUND）",
    409: "状态不允许或已存在、已被他人修改（FAILED_PRECONDITION、ALREADY_EXISTS、CONFLICT 等）",
    412: "请求所依据的数据已变化（PRECONDITION_FAILED 等），请刷新后重新核对",
    413: "请求内容超过网关的大小限制（PAYLOAD_TOO_LARGE）",
    422: "提交的信息有误，fields 指明哪一项（INVALID_ARGUMENT 等）",
    429: "请求过于频繁或已达次数上限（RESOURCE_EXHAUSTED 等），请稍后再试",
    500: "系统内部错误（INTERNAL），凭 request_id 查询日志",
    503: "服务暂时不可用（UNAVAILABLE），请稍后重试",
    504: "服务处理超时（DEADLINE_EXCEEDED），请稍后查看结果，勿重复提交",
}
SERVER = (500, 503, 504)
PUBLIC = (401, 404, 422)  # reads anyone may make: 401 only for a token sent and invalid
READ = (401, 403, 404, 422)
WRITE = (400, 401, 403, 404, 409, 413, 422)


def error_answers(statuses: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """The `responses` entries of these error statuses (and the server errors every call may answer)."""
    return {
        status: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[status]}
        for status in sorted({*statuses, *SERVER})
    }


def answers(
    message: type[Message] | None,
    *,
    status: int = 200,
    many: bool = False,
    errors: tuple[int, ...] = READ,
    description: str = "",
) -> dict[str, Any]:
    """Route decorator arguments: the success answer as `message`'s schema (a JSON array of them when
    `many`), with an example, and the error answers.

    The route keeps returning its dict; the schema documents it (response_model=None) and the contract test
    holds the two together.
    """
    responses = error_answers(errors)
    if message is None:
        responses[status] = {"description": description or "完成"}
        return {"status_code": status, "response_model": None, "responses": responses}
    descriptor: Descriptor = message.DESCRIPTOR
    model = message_model(descriptor)
    example: Any = message_example(descriptor)
    if many:
        model = list[model]  # type: ignore[valid-type]
        example = [example]
    responses[status] = {
        "model": model,
        "description": description or _summary(descriptor),
        "content": {"application/json": {"example": example}},
    }
    return {"status_code": status, "response_model": None, "responses": responses}


def model_answers(
    model: type[BaseModel], *, status: int = 200, errors: tuple[int, ...] = READ, description: str = ""
) -> dict[str, Any]:
    """Route decorator arguments for an answer that is not a proto message (a JSON-LD document): `model`
    documents it, with its first example."""
    responses = error_answers(errors)
    examples = (model.model_config.get("json_schema_extra") or {}).get("examples") or [{}]  # type: ignore[union-attr]
    responses[status] = {
        "model": model,
        "description": description or (model.__doc__ or model.__name__).strip(),
        "content": {"application/json": {"example": examples[0]}},
    }
    return {"status_code": status, "response_model": None, "responses": responses}


def _summary(descriptor: Descriptor) -> str:
    return comment(descriptor.full_name) or descriptor.name


def replayed(message: type[Message], description: str) -> dict[str, Any]:
    """`openapi_extra` of a creating route under an Idempotency-Key: its 200, the first request's answer."""
    schema = {"$ref": f"#/components/schemas/{model_name(message.DESCRIPTOR)}"}
    content = {"application/json": {"schema": schema}}
    return {"responses": {"200": {"description": description, "content": content}}}
