"""Request-scoped context (principal, tenant, case number, request id) carried in contextvars."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ywtb.common.auth.principal import Principal

current_principal: ContextVar[Principal | None] = ContextVar("ywtb_principal", default=None)
current_tenant: ContextVar[str | None] = ContextVar("ywtb_tenant", default=None)
current_case_no: ContextVar[str | None] = ContextVar("ywtb_case_no", default=None)
current_request_id: ContextVar[str | None] = ContextVar("ywtb_request_id", default=None)


@contextlib.contextmanager
def bound(
    *,
    principal: Principal | None = None,
    tenant: str | None = None,
    case_no: str | None = None,
    request_id: str | None = None,
) -> Iterator[None]:
    """Bind the given values for the duration of the block and restore the previous ones."""
    tokens: list[tuple[ContextVar[Any], Token[Any]]] = []
    if principal is not None:
        tokens.append((current_principal, current_principal.set(principal)))
        if tenant is None:
            tenant = principal.tenant
    if tenant is not None:
        tokens.append((current_tenant, current_tenant.set(tenant)))
    if case_no is not None:
        tokens.append((current_case_no, current_case_no.set(case_no)))
    if request_id is not None:
        tokens.append((current_request_id, current_request_id.set(request_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
