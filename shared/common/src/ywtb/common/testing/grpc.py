"""A real gRPC server for tests: a servicer (a fake of another service, or the one under test) on a free port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from ywtb.common.grpc import build_server, server_port


def serve(
    add_servicer: Callable[[Any, grpc.Server], None],
    servicer: Any,
    *,
    signing_key: bytes,
    service_name: str,
    **options: Any,
) -> tuple[grpc.Server, str]:
    """Start `servicer` with the platform's interceptors on 127.0.0.1 and a free port: (server, target)."""
    server = build_server(
        [(add_servicer, servicer)],
        port=0,
        host="127.0.0.1",
        signing_key=signing_key,
        service_name=service_name,
        **options,
    )
    server.start()
    return server, f"127.0.0.1:{server_port(server)}"
