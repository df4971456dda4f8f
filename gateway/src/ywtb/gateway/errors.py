"""Exception handlers: every error leaves the gateway as {"error": {...}, "request_id": ...}."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ywtb.common.context import current_request_id
from ywtb.common.errors import Internal, InvalidArgument, Unauthenticated, YwtbError

logger = logging.getLogger("ywtb.gateway.errors")

# Errors raised by the framework itself (unknown path, wrong method, body too large).
_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "请求格式不正确，请检查后重新提交。"),
    401: ("UNAUTHENTICATED", Unauthenticated.default_message),
    403: ("PERMISSION_DENIED", "您没有办理此项操作的权限；如有疑问请联系所在单位管理员。"),
    404: ("NOT_FOUND", "您访问的地址不存在，请核对后重试。"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方式。"),
    413: ("PAYLOAD_TOO_LARGE", "提交的内容过大，请压缩或拆分材料后重新提交。"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持该内容格式，请以 JSON 格式提交。"),
    429: ("RESOURCE_EXHAUSTED", "访问过于频繁，请稍后再试。"),
}

# Chinese text for pydantic error types, so a citizen knows what to fix in each field.
_FIELD_MESSAGES: dict[str, str] = {
    "missing": "缺少必填项",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多只能有 {max_length} 项",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为是或否（true / false）",
    "bool_type": "应为是或否（true / false）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "取值不在允许范围内，可选值：{expected}",
    "enum": "取值不在允许范围内，可选值：{expected}",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确，应为 YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "时间格式不正确，应为 YYYY-MM-DDTHH:MM:SS",
    "json_invalid": "请求内容不是合法的 JSON",
    "extra_forbidden": "不支持该字段，请删除",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "list_type": "应为列表",
    "uuid_parsing": "格式不正确",
    "url_parsing": "网址格式不正确",
}
_DEFAULT_FIELD_MESSAGE = "格式不正确"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def error_body(error: YwtbError) -> dict[str, Any]:
    """The JSON body for `error`, with the request id of the current request."""
    return {"error": error.to_dict(), "request_id": current_request_id.get()}


def error_response(error: YwtbError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The response for `error`; a 500 never shows its details."""
    if error.http_status == Internal.http_status:
        error = Internal()
    headers = dict(headers or {})
    if isinstance(error, Unauthenticated):
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(error_body(error), status_code=error.http_status, headers=headers or None)


def http_error_response(status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """The response for a framework HTTP error (404, 405, 413, ...) in the common error shape."""
    code, message = _HTTP_ERRORS.get(status_code, ("HTTP_ERROR", "请求无法处理，请检查后重试。"))
    body = {"error": {"code": code, "message": message}, "request_id": current_request_id.get()}
    return JSONResponse(body, status_code=status_code, headers=headers)


def internal_error_response() -> JSONResponse:
    """The generic 500 response: a Chinese apology and the request id, nothing more."""
    return error_response(Internal())


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a field path: ("body", "materials", 0, "name") -> "materials[0].name"."""
    parts = list(loc[1:] if loc and loc[0] == "body" and len(loc) > 1 else loc)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def field_message(error: dict[str, Any]) -> str:
    """The Chinese message for one pydantic error."""
    ctx = error.get("ctx") or {}
    reason = str(ctx.get("error") or "")
    if error["type"] in ("value_error", "assertion_error") and _CJK.search(reason):
        return reason  # our own validators raise ValueError with a Chinese message
    template = _FIELD_MESSAGES.get(error["type"], _DEFAULT_FIELD_MESSAGE)
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return _DEFAULT_FIELD_MESSAGE


async def _handle_ywtb_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, YwtbError)
    if exc.http_status >= 500:
        logger.error("request failed: %s %s", type(exc).__name__, exc.message_en or exc.message, exc_info=exc)
    return error_response(exc)


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, str] = {}
    for error in exc.errors():
        fields.setdefault(field_path(tuple(error.get("loc") or ())), field_message(error))
    error = InvalidArgument(message_en="request validation failed", fields=fields)
    return error_response(error)


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return http_error_response(exc.status_code, headers=exc.headers)


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return internal_error_response()


def install_exception_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the common error shape."""
    app.add_exception_handler(YwtbError, _handle_ywtb_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(Exception, _handle_unexpected)
