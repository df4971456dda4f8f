"""A service started by the kit on SQLite for a test, and the signed metadata of a principal's call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc

from ywtb.common.auth.principal import Principal
from ywtb.common.auth.signing import sign_principal
from ywtb.common.runtime import ServiceSpec, start_service
from ywtb.common.testing.conformance import free_port

TEST_SIGNING_KEY = "a-test-signing-key-of-this-run-0123456789"


@contextmanager
def serving(spec: ServiceSpec, stub_class: Any, tmp_path: Path, **settings: Any) -> Iterator[Any]:
    """A stub of the service started as the kit starts it (its own SQLite and event log in tmp_path);
    `settings` adds the service's own (its secrets, its peers)."""
    config = spec.settings(
        internal_signing_key=TEST_SIGNING_KEY,
        grpc_port=free_port(),
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'service.db'}",
        event_log_path=tmp_path / "events.db",
        **settings,
    )
    _runtime, server = start_service(spec, config)
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{config.grpc_port}") as channel:
            yield stub_class(channel)
    finally:
        server.stop(None).wait()


def signed(principal: Principal) -> list[tuple[str, str]]:
    """The call metadata that carries the principal, signed with the test key."""
    return list(sign_principal(principal, TEST_SIGNING_KEY.encode()).items())
