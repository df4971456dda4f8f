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
from ywtb.common.testing.serving import serving, signed
from ywtb.licence.__main__ import SPEC
from ywtb.licence.identifiers import build_identifier

CITIZEN = Principal(subject="p-1", tenant="510104", roles=frozenset({"citizen"}))
DEPT = "11510104MB2C394793"
ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[licence_pb2_grpc.LicenceServiceStub]:
    with serving(
        SPEC, licence_pb2_grpc.LicenceServiceStub, tmp_path, pii_key="a-test-pii-key-of-this-run-0123456789"
    ) as stub:
        yield stub


def _define(stub: licence_pb2_grpc.LicenceServiceStub, principal: Principal) -> pb.LicenceType:
    metadata = signed(principal)
    request = pb.DefineLicenceTypeRequest(
        name="营业执照",
        fields=[pb.LicenceField(key="business_scope", label="经营范围", required=True)],
        issue_mode=pb.ISSUE_MODE_AUTOMATIC,
    )
    return stub.DefineLicenceType(request, metadata=metadata, timeout=10).licence_type


def test_define_then_read_anonymously_over_grpc(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    defined = _define(stub, ADMIN)
    got = stub.GetLicenceType(pb.GetLicenceTypeRequest(code=defined.code), timeout=10).licence_type
    assert (got.code, got.name, got.issue_mode, got.fields[0].label) == (
        f"{DEPT}001",
        "营业执照",
        pb.ISSUE_MODE_AUTOMATIC,
        "经营范围",
    )
    listed = stub.ListLicenceTypes(pb.ListLicenceTypesRequest(tenant="510104"), timeout=10).licence_types
    assert [t.code for t in listed] == [defined.code]


def test_an_anonymous_caller_cannot_define(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.DefineLicenceType(pb.DefineLicenceTypeRequest(name="营业执照"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_role_the_door_does_not_admit_is_refused(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _define(stub, CITIZEN)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_malformed_code_is_invalid_argument(stub: licence_pb2_grpc.LicenceServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetLicenceType(pb.GetLicenceTypeRequest(code="not-a-code"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_verification_is_open_to_anyone_and_names_a_malformed_or_unknown_identifier(
    stub: licence_pb2_grpc.LicenceServiceStub,
) -> None:
    with pytest.raises(grpc.RpcError) as malformed:
        stub.VerifyLicence(pb.VerifyLicenceRequest(identifier="1.2.156.3005.2.x"), timeout=10)
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    unknown = build_identifier(f"{DEPT}001", DEPT, "1").text
    with pytest.raises(grpc.RpcError) as missing:
        stub.VerifyLicence(pb.VerifyLicenceRequest(identifier=unknown), timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as not_a_licence:
        stub.VerifyLicence(pb.VerifyLicenceRequest(file=b"%PDF-1.7 nothing"), timeout=10)
    assert not_a_licence.value.code() == grpc.StatusCode.INVALID_ARGUMENT
