"""The gateway's async stubs carry what the blocking client's interceptor carries, and map errors alike."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import grpc
import pytest

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.api.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from ywtb.common.auth.principal import Principal
from ywtb.common.context import bound
from ywtb.common.errors import Unavailable, error_class_for
from ywtb.common.grpc.client import ClientInterceptor, _ClientCallDetails, call_metadata, call_timeout
from ywtb.gateway.grpc_aio import AsyncStub

SERVICE = "ywtb.api.catalog.v1.CatalogService"
KEY = b"gateway-aio-test-signing-key-0123456789"
PRINCIPAL = Principal(subject="u-1", tenant="510104", roles=frozenset({"window_clerk"}), name="张三")


def _interceptor_metadata() -> dict[str, str]:
    details = _ClientCallDetails("/x.v1.S/M", None, None, None, None, None)
    return dict(ClientInterceptor(KEY)._details(details).metadata or ())


@pytest.mark.parametrize("principal", [PRINCIPAL, None])
def test_call_metadata_is_the_blocking_interceptors(principal: Principal | None) -> None:
    context = bound(principal=principal, request_id="req-0123456789", case_no="510104202600000001")
    with context, mock.patch("time.time", return_value=1_800_000_000.0):  # the signature's iat
        assert dict(call_metadata(KEY)) == _interceptor_metadata()
    assert ("x-request-id", "req-0123456789") not in call_metadata(KEY)  # a fresh id outside a request


def test_the_callers_own_metadata_wins_and_deadlines_default() -> None:
    with bound(request_id="req-0123456789"):
        assert dict(call_metadata(KEY, [("x-request-id", "mine-0123456")]))["x-request-id"] == "mine-0123456"
    assert call_timeout(None) == 5.0 and call_timeout(120.0) == 120.0


def test_failed_calls_surface_as_ywtb_errors_on_every_loop() -> None:
    async def guide(stub: AsyncStub) -> None:
        await stub.GetGuide(pb.GetGuideRequest(item_id="x"), timeout=2)

    server = grpc.server(ThreadPoolExecutor(2))
    target = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    server.start()  # no servicer: every method answers UNIMPLEMENTED
    try:
        stub = AsyncStub(CatalogServiceStub, SERVICE, target, KEY)
        for _ in range(2):  # a new event loop each time, as the test client makes them
            with pytest.raises(error_class_for(grpc.StatusCode.UNIMPLEMENTED)):
                asyncio.run(guide(stub))
    finally:
        server.stop(0)
    with pytest.raises(Unavailable):
        asyncio.run(guide(AsyncStub(CatalogServiceStub, SERVICE, target, KEY)))
