"""The service as the kit starts it: its gRPC API with the signed principal, anonymous callers and roles
its doors do not admit refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from ywtb.api.evaluation.v1 import evaluation_pb2 as pb
from ywtb.api.evaluation.v1 import evaluation_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.testing.serving import serving, signed
from ywtb.evaluation.__main__ import SPEC

CITIZEN = Principal(subject="p-1", tenant="510104", roles=frozenset({"citizen"}))
CLERK = Principal(
    subject="clerk-1", tenant="510104", dept="11510104MB3234567X", roles=frozenset({"window_clerk"})
)


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[evaluation_pb2_grpc.EvaluationServiceStub]:
    key = "a-test-key-of-this-run-0123456789"  # no province_url nor sms_url: nothing is pushed nor texted
    keys = {"province_key": key, "sms_key": key, "pii_key": key}
    with serving(SPEC, evaluation_pb2_grpc.EvaluationServiceStub, tmp_path, **keys) as stub:
        yield stub


TENANT_ADMIN = Principal(subject="admin-1", tenant="510104", roles=frozenset({"tenant_admin"}))


def test_settings_changed_then_read_over_grpc(stub: evaluation_pb2_grpc.EvaluationServiceStub) -> None:
    admin = signed(TENANT_ADMIN)
    wanted = pb.Settings(
        default_after_days=7,
        default_level=4,
        callback_workdays=1,
        rectify_workdays=5,
        consultation_workdays=5,
        complaint_workdays=5,
    )
    stub.UpdateSettings(pb.UpdateSettingsRequest(settings=wanted), metadata=admin, timeout=10)
    clerk = signed(CLERK)
    got = stub.GetSettings(pb.GetSettingsRequest(), metadata=clerk, timeout=10).settings
    assert (got.tenant, got.default_after_days, got.rectify_workdays) == ("510104", 7, 5)


def test_a_rating_of_a_case_not_rateable_is_not_found(
    stub: evaluation_pb2_grpc.EvaluationServiceStub,
) -> None:
    metadata = signed(CITIZEN)
    with pytest.raises(grpc.RpcError) as caught:
        stub.RateCase(pb.RateCaseRequest(case_no="C-1", level=5), metadata=metadata, timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_an_anonymous_caller_is_refused(stub: evaluation_pb2_grpc.EvaluationServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetSettings(pb.GetSettingsRequest(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_role_the_door_does_not_admit_is_refused(stub: evaluation_pb2_grpc.EvaluationServiceStub) -> None:
    metadata = signed(CITIZEN)
    with pytest.raises(grpc.RpcError) as caught:
        stub.DecideAppeal(pb.DecideAppealRequest(id="x", approve=True), metadata=metadata, timeout=10)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
