"""The door of every RPC: build_server refuses undeclared servicer methods, the interceptor applies @allow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ywtb.api.common.v1 import common_pb2, common_pb2_grpc
from ywtb.common import errors, tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.grpc import UndeclaredAccess, allow, build_server, channel, public
from ywtb.common.grpc.diagnostics import DiagnosticsServicer
from ywtb.common.testing.grpc import serve

KEY = b"a-test-signing-key-of-the-access-test-0123"
CLERK = Principal(subject="clerk-1", tenant="510104", roles=frozenset({tenancy.WINDOW_CLERK}))
CITIZEN = Principal(subject="p-1", tenant="510000", roles=frozenset({tenancy.CITIZEN}))
NOBODY = Principal(subject="nobody")


class ClerksOnly(common_pb2_grpc.DiagnosticsServiceServicer):
    @allow(tenancy.WINDOW_CLERK, tenancy.APPROVER)
    def WhoAmI(self, request, context):  # noqa: N802
        return DiagnosticsServicer().WhoAmI(request, context)


class Undeclared(common_pb2_grpc.DiagnosticsServiceServicer):
    def WhoAmI(self, request, context):  # noqa: N802
        return DiagnosticsServicer().WhoAmI(request, context)


class NotImplemented_(common_pb2_grpc.DiagnosticsServiceServicer):
    """Implements nothing: the generated stub answers UNIMPLEMENTED, and nobody is let that far."""


def _serve(servicer: object) -> Iterator[str]:
    server, target = serve(
        common_pb2_grpc.add_DiagnosticsServiceServicer_to_server, servicer, signing_key=KEY, service_name="t"
    )
    yield target
    server.stop(0).wait()


@pytest.fixture(scope="module")
def clerks_only() -> Iterator[str]:
    yield from _serve(ClerksOnly())


def _who(target: str, principal: Principal | None) -> common_pb2.WhoAmIResponse:
    with channel(target, signing_key=KEY, principal=principal) as ch:
        return common_pb2_grpc.DiagnosticsServiceStub(ch).WhoAmI(
            common_pb2.WhoAmIRequest(echo="x"), timeout=5
        )


def test_a_holder_of_an_allowed_role_gets_through(clerks_only: str) -> None:
    assert _who(clerks_only, CLERK).principal.subject == "clerk-1"


@pytest.mark.parametrize("principal", [CITIZEN, NOBODY], ids=["other_role", "no_role"])
def test_other_roles_are_refused_before_the_handler_in_chinese(
    clerks_only: str, principal: Principal
) -> None:
    with pytest.raises(errors.PermissionDenied) as refused:
        _who(clerks_only, principal)
    assert refused.value.message.startswith("此项业务只能由窗口受理人员、审批人员办理")


def test_an_anonymous_caller_is_unauthenticated(clerks_only: str) -> None:
    with pytest.raises(errors.Unauthenticated):
        _who(clerks_only, None)


def test_a_servicer_with_an_undeclared_method_cannot_be_served() -> None:
    with pytest.raises(
        UndeclaredAccess, match=r"Undeclared\.WhoAmI.*@public, @allow\(\*roles\) or @authenticated"
    ):
        build_server(
            [(common_pb2_grpc.add_DiagnosticsServiceServicer_to_server, Undeclared())],
            port=0,
            host="127.0.0.1",
            signing_key=KEY,
            service_name="ywtb.undeclared",
        )


def test_a_generated_stub_left_unimplemented_admits_nobody() -> None:
    for target in _serve(NotImplemented_()):
        with pytest.raises(errors.PermissionDenied):
            _who(target, CLERK)
        with pytest.raises(errors.Unauthenticated):
            _who(target, None)


def test_allow_needs_known_roles_and_one_declaration_per_method() -> None:
    with pytest.raises(ValueError, match="unknown"):
        allow("clerk")
    with pytest.raises(ValueError, match="none given"):
        allow()
    with pytest.raises(TypeError, match="twice"):
        allow(tenancy.CITIZEN)(public(lambda request, context: None))
