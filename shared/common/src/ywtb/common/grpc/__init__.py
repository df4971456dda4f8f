"""gRPC plumbing: server bootstrap, interceptors, client channels, signed principal propagation."""

from ywtb.common.grpc.access import allow, authenticated, public
from ywtb.common.grpc.client import channel, error_from_rpc
from ywtb.common.grpc.metadata import time_remaining
from ywtb.common.grpc.server import UndeclaredAccess, build_server, serve_forever, server_port, set_serving

__all__ = [
    "UndeclaredAccess",
    "allow",
    "authenticated",
    "build_server",
    "channel",
    "error_from_rpc",
    "public",
    "serve_forever",
    "server_port",
    "set_serving",
    "time_remaining",
]
