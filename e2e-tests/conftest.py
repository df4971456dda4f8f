"""End-to-end fixtures: the whole platform started as `make run` starts it, reached only through the gateway."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN_PATH = "/realms/ywtb/protocol/openid-connect/token"
# Where each platform's gateway client logs in: the gateway's built-in issuer (embedded) or Keycloak (local).
_TOKEN_URLS: dict[httpx.Client, str] = {}


def _platform(run_dir: Path, stack: str, port: int, port_base: int, db_prefix: str) -> Iterator[httpx.Client]:
    """Start tools/run_platform.py in its own process group; yield a client of its gateway; stop it."""
    env = {
        **os.environ,
        "YWTB_RUN_DIR": str(run_dir),
        "YWTB_GATEWAY_HTTP_PORT": str(port),
        "YWTB_PORT_BASE": str(port_base),
        "YWTB_DB_PREFIX": db_prefix,
    }
    log_path = run_dir / "platform.log"
    log = log_path.open("w")
    command = [sys.executable, str(ROOT / "tools" / "run_platform.py"), "--stack", stack]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "Press Ctrl-C" not in log_path.read_text():
            if proc.poll() is not None:
                pytest.fail(f"the platform exited with {proc.returncode}: {log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the platform did not start within 180 s")
            time.sleep(0.5)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            if stack == "local":
                _TOKEN_URLS[client] = os.environ["YWTB_KEYCLOAK_URL"].rstrip("/") + TOKEN_PATH
            else:
                _TOKEN_URLS[client] = f"http://127.0.0.1:{port}{TOKEN_PATH}"
            try:
                yield client
            finally:
                _TOKEN_URLS.pop(client, None)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def embedded_gateway(tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The embedded platform (make run) in a fresh data directory."""
    yield from _platform(tmp_path_factory.mktemp("embedded"), "embedded", 18000, 51060, "unused")


@pytest.fixture(scope="session")
def local_gateway(tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The platform on the local stack (make up): fresh PostgreSQL databases, the shared Kafka and Redis."""
    from sqlalchemy import create_engine, text

    prefix = f"e2e_{uuid.uuid4().hex[:8]}"
    try:
        yield from _platform(tmp_path_factory.mktemp("local"), "local", 18001, 52060, prefix)
    finally:
        admin = create_engine(os.environ["YWTB_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in ("identity", "catalog", "intake", "approval"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """Bearer headers of a demo account: password grant of the workbench client at the platform's issuer
    (the gateway's built-in issuer on the embedded stack, Keycloak on the local stack)."""
    return lambda client, username, password="Demo2026ywtb": _login(client, username, password)


def _login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    reply = client.post(
        _TOKEN_URLS[client],
        data={"grant_type": "password", "client_id": "workbench", "username": username, "password": password},
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}
