"""The service as the kit starts it: its gRPC API with the signed principal, anonymous callers and roles
its doors do not admit refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from ywtb.api.payment.v1 import payment_pb2 as pb
from ywtb.api.payment.v1 import payment_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.testing.serving import serving, signed
from ywtb.payment.__main__ import SPEC

CITIZEN = Principal(subject="p-1", tenant="510104", roles=frozenset({"citizen"}))
CLERK = Principal(
    subject="clerk-1", tenant="510104", dept="11510104MB3234567X", roles=frozenset({"window_clerk"})
)


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[payment_pb2_grpc.PaymentServiceStub]:
    with serving(
        SPEC,
        payment_pb2_grpc.PaymentServiceStub,
        tmp_path,
        nontax_key="a-test-platform-key-of-this-run-0123456789",
        nontax_url="http://127.0.0.1:9",
    ) as stub:
        yield stub


def test_a_citizen_lists_their_orders_and_a_case_with_none(stub: payment_pb2_grpc.PaymentServiceStub) -> None:
    metadata = signed(CITIZEN)
    assert list(stub.ListMyOrders(pb.ListMyOrdersRequest(), metadata=metadata, timeout=10).orders) == []
    reply = stub.ListCaseOrders(pb.ListCaseOrdersRequest(case_no="C-1"), metadata=metadata, timeout=10)
    assert list(reply.orders) == []


def test_an_anonymous_caller_is_refused(stub: payment_pb2_grpc.PaymentServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListMyOrders(pb.ListMyOrdersRequest(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_role_the_door_does_not_admit_is_refused(stub: payment_pb2_grpc.PaymentServiceStub) -> None:
    metadata = signed(CLERK)
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListMyOrders(pb.ListMyOrdersRequest(), metadata=metadata, timeout=10)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_an_unsigned_callback_is_refused(stub: payment_pb2_grpc.PaymentServiceStub) -> None:
    request = pb.HandlePlatformCallbackRequest(body=b'{"notice_no": "1"}', headers={})
    with pytest.raises(grpc.RpcError) as caught:
        stub.HandlePlatformCallback(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
