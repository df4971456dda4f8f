"""The service as the kit starts it: its gRPC API with the signed principal, anonymous callers and roles
its doors do not admit refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.auth.signing import sign_principal
from ywtb.common.runtime import start_service
from ywtb.common.testing.conformance import free_port
from ywtb.licence.__main__ import SPEC
from ywtb.licence.config import LicenceSettings

KEY = "a-test-signing-key-of-this-run-0123456789"
CITIZEN = Principal(subject="p-1", tenant="510104", roles=frozenset({"citizen"}))
CLERK = Principal(
    subject="clerk-1", tenant="510104", dept="11510104MB3234567X", roles=frozenset({"window_clerk"})
)


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[licence_pb2_grpc.LicenceServiceStub]:
    settings = LicenceSettings(
        internal_signing_key=KEY,
        grpc_port=free_port(),
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'service.db'}",
        event_log_path=tmp_path / "events.db",
    )
    _runtime, server = start_service(SPEC, settings)
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
            yield licence_pb2_grpc.LicenceServiceStub(channel)
    finally:
        server.stop(None).wait()


def test_create_then_get_over_grpc(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    metadata = list(sign_principal(CLERK, KEY.encode()).items())
    created = stub.CreateRecord(pb.CreateRecordRequest(title="记录"), metadata=metadata, timeout=10).record
    got = stub.GetRecord(pb.GetRecordRequest(id=created.id), metadata=metadata, timeout=10).record
    assert (got.title, got.tenant, got.created_by) == ("记录", "510104", "clerk-1")


def test_an_anonymous_caller_is_refused(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreateRecord(pb.CreateRecordRequest(title="记录"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_role_the_door_does_not_admit_is_refused(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    metadata = list(sign_principal(CITIZEN, KEY.encode()).items())
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetRecord(pb.GetRecordRequest(id="no-such-record"), metadata=metadata, timeout=10)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
