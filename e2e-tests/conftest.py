"""End-to-end fixtures: the whole platform started as `make run` starts it, reached only through the gateway."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def gateway(tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The embedded platform (all services and the gateway as local processes) in a fresh data directory."""
    run_dir = tmp_path_factory.mktemp("platform")
    port = int(os.environ.get("YWTB_E2E_GATEWAY_PORT", "18000"))
    env = {
        **os.environ,
        "YWTB_RUN_DIR": str(run_dir),
        "YWTB_GATEWAY_HTTP_PORT": str(port),
        "YWTB_PORT_BASE": os.environ.get("YWTB_E2E_PORT_BASE", "51060"),
    }
    log = (run_dir / "platform.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "run_embedded.py")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(
                    f"the platform exited with {proc.returncode}: {(run_dir / 'platform.log').read_text()[-3000:]}"
                )
            if "Press Ctrl-C" in (run_dir / "platform.log").read_text():
                break
            time.sleep(0.5)
        else:
            pytest.fail("the platform did not start within 180 s")
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def login(gateway: httpx.Client):  # type: ignore[no-untyped-def]
    """Bearer headers of a demo account, through the built-in issuer's password grant."""
    return lambda username, password="Demo2026ywtb": _login(gateway, username, password)


def _login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    reply = client.post(
        "/realms/ywtb/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "workbench", "username": username, "password": password},
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}
