"""Two gRPC servers cannot share a port: the second start fails naming the port (no SO_REUSEPORT)."""

from __future__ import annotations

import pytest

from ywtb.common.grpc import build_server, server_port
from ywtb.common.grpc.server import PortInUse

KEY = b"k" * 32


@pytest.mark.parametrize("host", ["127.0.0.1", "[::]"])
def test_a_second_server_on_a_taken_port_fails_naming_it(host: str) -> None:
    first = build_server([], port=0, host=host, signing_key=KEY, service_name="ywtb.first")
    first.start()
    try:
        port = server_port(first)
        with pytest.raises(PortInUse, match=f"ywtb.second: cannot listen on gRPC port {port}") as caught:
            build_server([], port=port, host=host, signing_key=KEY, service_name="ywtb.second")
        assert caught.value.port == port
    finally:
        first.stop(None).wait()


def test_the_port_is_free_again_after_the_first_server_stops() -> None:
    first = build_server([], port=0, host="127.0.0.1", signing_key=KEY, service_name="ywtb.first")
    first.start()
    port = server_port(first)
    first.stop(None).wait()
    second = build_server([], port=port, host="127.0.0.1", signing_key=KEY, service_name="ywtb.second")
    assert server_port(second) == port
    second.stop(None)
