"""One error hierarchy: each error knows its gRPC status and its HTTP status."""

from __future__ import annotations

from typing import Any, ClassVar

import grpc


class YwtbError(Exception):
    """Base of every error the platform raises on purpose.

    `message` is shown to people (Chinese, saying what to do); `message_en` is the English
    form; `code` is a stable machine-readable reason; `fields` maps input fields to messages.
    """

    grpc_status: ClassVar[grpc.StatusCode] = grpc.StatusCode.INTERNAL
    http_status: ClassVar[int] = 500
    default_code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "系统内部错误，请稍后重试；如仍有问题请联系客服。"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        message_en: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.message_en = message_en
        self.fields = dict(fields or {})
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The error as the JSON body both the gateway and gRPC trailers carry."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_en:
            body["message_en"] = self.message_en
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidArgument(YwtbError):
    grpc_status = grpc.StatusCode.INVALID_ARGUMENT
    http_status = 422
    default_code = "INVALID_ARGUMENT"
    default_message = "提交的信息有误，请按提示修改后重新提交。"


class Unauthenticated(YwtbError):
    grpc_status = grpc.StatusCode.UNAUTHENTICATED
    http_status = 401
    default_code = "UNAUTHENTICATED"
    default_message = "登录已失效或未登录，请重新登录。"


class PermissionDenied(YwtbError):
    grpc_status = grpc.StatusCode.PERMISSION_DENIED
    http_status = 403
    default_code = "PERMISSION_DENIED"
    default_message = "您没有办理此项操作的权限；如有疑问请联系所在单位管理员。"


class NotFound(YwtbError):
    grpc_status = grpc.StatusCode.NOT_FOUND
    http_status = 404
    default_code = "NOT_FOUND"
    default_message = "未找到相关信息，请核对后重试。"


class AlreadyExists(YwtbError):
    grpc_status = grpc.StatusCode.ALREADY_EXISTS
    http_status = 409
    default_code = "ALREADY_EXISTS"
    default_message = "该信息已存在，请勿重复提交。"


class Conflict(YwtbError):
    grpc_status = grpc.StatusCode.ABORTED
    http_status = 409
    default_code = "CONFLICT"
    default_message = "数据已被他人修改，请刷新后重试。"


class FailedPrecondition(YwtbError):
    grpc_status = grpc.StatusCode.FAILED_PRECONDITION
    http_status = 409
    default_code = "FAILED_PRECONDITION"
    default_message = "当前状态不允许此操作，请刷新查看最新办理状态。"


class PreconditionFailed(FailedPrecondition):
    """What the caller expected of the current state is no longer true (HTTP 412): reload, then decide again."""

    http_status = 412
    default_code = "PRECONDITION_FAILED"
    default_message = "办理依据的数据已变化，请刷新后重新核对。"


class ResourceExhausted(YwtbError):
    grpc_status = grpc.StatusCode.RESOURCE_EXHAUSTED
    http_status = 429
    default_code = "RESOURCE_EXHAUSTED"
    default_message = "访问过于频繁，请稍后再试。"


class DeadlineExceeded(YwtbError):
    grpc_status = grpc.StatusCode.DEADLINE_EXCEEDED
    http_status = 504
    default_code = "DEADLINE_EXCEEDED"
    default_message = "系统处理超时，请稍后查看办理结果，勿重复提交。"


class Unavailable(YwtbError):
    grpc_status = grpc.StatusCode.UNAVAILABLE
    http_status = 503
    default_code = "UNAVAILABLE"
    default_message = "服务暂时不可用，请稍后重试。"


class Internal(YwtbError):
    """An unexpected failure; details stay in the logs, never in the response."""


class ConfigError(YwtbError):
    """Start-up configuration is missing or malformed."""

    default_code = "CONFIG"
    default_message = "配置错误"


# The classes a gRPC status carries besides its own, told apart by the HTTP status in the error trailer.
_REFINEMENTS: dict[tuple[grpc.StatusCode, int], type[YwtbError]] = {
    (PreconditionFailed.grpc_status, PreconditionFailed.http_status): PreconditionFailed,
}

_BY_GRPC_STATUS: dict[grpc.StatusCode, type[YwtbError]] = {
    cls.grpc_status: cls
    for cls in (
        InvalidArgument,
        Unauthenticated,
        PermissionDenied,
        NotFound,
        AlreadyExists,
        Conflict,
        FailedPrecondition,
        ResourceExhausted,
        DeadlineExceeded,
        Unavailable,
        Internal,
    )
}


def error_class_for(status: grpc.StatusCode, http_status: int = 0) -> type[YwtbError]:
    """The error class a gRPC status (and the HTTP status its trailer names) maps back to."""
    return _REFINEMENTS.get((status, http_status)) or _BY_GRPC_STATUS.get(status, Internal)
