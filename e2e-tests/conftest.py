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

from ywtb.common.components import registry

ROOT = Path(__file__).resolve().parent.parent
TOKEN_PATH = "/realms/ywtb/protocol/openid-connect/token"
# Where each platform's gateway client logs in: the gateway's built-in issuer (embedded) or Keycloak (local).
_TOKEN_URLS: dict[httpx.Client, str] = {}
# Each platform's portal address and start-up log, by its gateway client.
PORTAL_URLS: dict[httpx.Client, str] = {}
PLATFORM_LOGS: dict[httpx.Client, Path] = {}
# Shifts every port of the test platforms, so that two test runs can share a machine. Each platform adds
# its own shift to the registry's ports: embedded 12000 (gateway 20000, portal 20080, gRPC 62061...),
# local 12010, contract 12020, scale-out 12030, from the images 12040, chart pods 12050, clear of the local stack's ports (15432, 16379, 18080, 19000, 19092).
PORT_OFFSET = int(os.environ.get("YWTB_E2E_PORT_OFFSET", "0"))
EMBEDDED_SHIFT, LOCAL_SHIFT = 12000 + PORT_OFFSET, 12010 + PORT_OFFSET
CONTRACT_SHIFT = 12020 + PORT_OFFSET  # the contract test's own embedded platform
IMAGES_SHIFT = 12040 + PORT_OFFSET  # the embedded platform from the components' images
CLOCK_SHIFT = "evaluation-clock-shift"  # the evaluation service's clock moved by its seconds (embedded only)


def _platform(
    run_dir: Path, stack: str, shift: int, db_prefix: str, extra_env: dict[str, str] | None = None
) -> Iterator[httpx.Client]:
    """Start tools/run_platform.py in its own process group; yield a client of its gateway; stop it.

    `extra_env` adds to the platform's environment (e.g. YWTB_REPLICAS, OTEL_* of the scale-out test)."""
    env = {
        **os.environ,
        "YWTB_RUN_DIR": str(run_dir),
        "YWTB_PORT_OFFSET": str(shift),
        "YWTB_DB_PREFIX": db_prefix,
        **({"YWTB_EVALUATION_CLOCK_SHIFT_FILE": str(run_dir / CLOCK_SHIFT)} if stack == "embedded" else {}),
        **(extra_env or {}),
    }
    port = registry()["gateway"].ports.serving() + shift
    portal = f"http://{registry()['portal'].target(offset=shift)}"
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
            PORTAL_URLS[client] = portal
            PLATFORM_LOGS[client] = log_path
            try:
                yield client
            finally:
                _TOKEN_URLS.pop(client, None)
                PORTAL_URLS.pop(client, None)
                PLATFORM_LOGS.pop(client, None)
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
    yield from _platform(tmp_path_factory.mktemp("embedded"), "embedded", EMBEDDED_SHIFT, "unused")


@pytest.fixture(scope="module")
def contract_gateway(tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """An embedded platform of the API contract test's own: its generated requests touch no other test's data."""
    yield from _platform(tmp_path_factory.mktemp("contract"), "embedded", CONTRACT_SHIFT, "unused")


@pytest.fixture(scope="session")
def local_gateway(tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The platform on the local stack (make up): fresh PostgreSQL databases, the shared Kafka and Redis."""

    prefix = f"e2e_{uuid.uuid4().hex[:8]}"
    try:
        yield from _platform(tmp_path_factory.mktemp("local"), "local", LOCAL_SHIFT, prefix)
    finally:
        _service_databases(prefix, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


@pytest.fixture(scope="session")
def built_images() -> None:
    """The images of every component (tools/images.sh in make test); skipped, saying why, without podman."""
    from ywtb.common.containers import image_of, podman, unavailable

    if reason := unavailable():
        pytest.skip(f"no container runtime here: {reason}")
    missing = [
        c.name for c in registry() if podman("image", "exists", image_of(c.name), check=False).returncode
    ]
    assert not missing, f"images not built: {missing}: run `make images` (make test runs it first)"


@pytest.fixture(scope="module")
def images_gateway(built_images, tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The embedded platform with every component a container of its image (run_platform --images)."""
    run_dir = tmp_path_factory.mktemp("images")
    yield from _platform(run_dir, "embedded", IMAGES_SHIFT, "unused", {"YWTB_PLATFORM_IMAGES": "1"})


@pytest.fixture(scope="module")
def chart_pods_gateway(built_images, tmp_path_factory) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """The chart rendered for the local stack and played with `podman kube play` (on the registry's ports)."""
    import secrets

    from sqlalchemy.engine import make_url

    from ywtb.common.testing.kube_play import chart_pods

    busy = [c.name for c in registry() if _port_taken(c.ports.serving())]
    assert not busy, f"the chart's pods need the registry's ports; in use by another run: {busy} (make down?)"
    prefix, base = f"pods_{uuid.uuid4().hex[:8]}", make_url(os.environ["YWTB_POSTGRES_URL"])
    databases = _service_databases(prefix, "CREATE DATABASE {}")
    made = {  # what an ops team creates before `helm install` (values: secrets.*, postgresql.*, redis.*, keycloak.*)
        "ywtb-platform": {
            "internal-signing-key": secrets.token_urlsafe(48),
            "pii-key": secrets.token_urlsafe(48),
            "nontax-key": secrets.token_urlsafe(48),
            "province-key": secrets.token_urlsafe(48),
            "sms-key": secrets.token_urlsafe(48),
        },
        "ywtb-postgresql": {
            f"{name}-database-url": base.set(database=f"{prefix}_{name}").render_as_string(
                hide_password=False
            )
            for name in databases
        },
        "ywtb-redis": {"redis-url": os.environ["YWTB_REDIS_URL"]},
        "ywtb-keycloak": {"identity-client-secret": os.environ["YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"]},
    }
    try:
        with chart_pods(os.environ, prefix, made, tmp_path_factory.mktemp("pods")):
            port = registry()["gateway"].ports.serving()
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                _TOKEN_URLS[client] = os.environ["YWTB_KEYCLOAK_URL"].rstrip("/") + TOKEN_PATH
                try:
                    yield client
                finally:
                    _TOKEN_URLS.pop(client, None)
    finally:
        _service_databases(prefix, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _service_databases(prefix: str, statement: str) -> list[str]:
    """Run `statement` (CREATE / DROP DATABASE {}) for the database <prefix>_<service> of every service
    with one; the services' names."""
    from sqlalchemy import create_engine, text

    names = [c.name for c in registry() if c.uses("postgresql")]
    admin = create_engine(os.environ["YWTB_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(statement.format(f'"{prefix}_{name}"')))
    admin.dispose()
    return names


def _port_taken(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def start_platform():  # type: ignore[no-untyped-def]
    """`start_platform(run_dir, stack, shift, db_prefix, extra_env)`: _platform, for a test that needs a
    platform of its own (test_scale_out.py: replicas, shift 12030)."""
    return _platform


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


CHROMIUM = os.environ.get("YWTB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(os.environ.get("YWTB_ARTIFACTS", ROOT / "artifacts")) / "screenshots"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (tools/debian_deps.sh)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):  # type: ignore[no-untyped-def]
    """`new_page(width=1280)`: a page in a fresh browser context (own cookies) with Chinese locale.

    On a failure the last screenshot of every page is kept as `<test>-failed-<n>.png`."""
    contexts = []

    def make(width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                shot(page, f"{request.node.name}-failed-{n}")
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Remember each phase's report on the test item (the fixtures above read `rep_call`)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot under artifacts/screenshots/ (kept by CI as a test artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, username: str, password: str = "Demo2026ywtb") -> None:  # type: ignore[no-untyped-def]
    """Fill the issuer's login form (the built-in issuer's and Keycloak's both have #username, #password)."""
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url(lambda url: "/protocol/openid-connect/" not in url and "/auth/callback" not in url)


@pytest.fixture
def screenshot(request):  # type: ignore[no-untyped-def]
    """`screenshot(page, "step")` saves artifacts/screenshots/<test>-<step>.png."""
    return lambda page, step: shot(page, f"{request.node.name}-{step}")


@pytest.fixture
def issuer_login():  # type: ignore[no-untyped-def]
    """`issuer_login(page, username)` fills the login form the portal redirected to."""
    return browser_login


@pytest.fixture
def platform_log():  # type: ignore[no-untyped-def]
    """`platform_log(gateway_client)`: what the platform printed (as `make run` prints it)."""
    return lambda client: PLATFORM_LOGS[client].read_text()


@pytest.fixture
def platform_secret():  # type: ignore[no-untyped-def]
    """`platform_secret(gateway_client, "nontax-key.key")`: a secret the platform's run made (its run dir)."""
    return lambda client, name: (PLATFORM_LOGS[client].parent / name).read_text().strip()


@pytest.fixture
def outside_system(platform_secret):  # type: ignore[no-untyped-def]
    """`url, key = outside_system(gateway_client, "haocpsim", "province-key.key")`: that platform's simulator of
    an outside system and the key it shares with the platform."""

    def simulator(client: httpx.Client, name: str, key_file: str) -> tuple[str, str]:
        shift = (client.base_url.port or 0) - registry()["gateway"].ports.serving()
        return f"http://{registry()[name].target(offset=shift)}", platform_secret(client, key_file)

    return simulator


@pytest.fixture
def sms_simulator(outside_system):  # type: ignore[no-untyped-def]
    """`url, key = sms_simulator(gateway_client)`: that platform's SMS gateway simulator (smssim) and its key, for
    ywtb.common.testing.sms (`last_message(url, key, mobile, after=...)`: the text the citizen "receives")."""
    return lambda client: outside_system(client, "smssim", "sms-key.key")


@pytest.fixture
def evaluation_clock(embedded_gateway):  # type: ignore[no-untyped-def]
    """`evaluation_clock(seconds)` moves the embedded evaluation service's clock; put back after the test."""
    path = PLATFORM_LOGS[embedded_gateway].parent / CLOCK_SHIFT
    yield lambda seconds: path.write_text(str(seconds))
    path.write_text("0")


@pytest.fixture
def embedded_portal(embedded_gateway) -> str:  # type: ignore[no-untyped-def]
    """Base URL of the embedded platform's portal."""
    return PORTAL_URLS[embedded_gateway]


@pytest.fixture
def local_portal(local_gateway) -> str:  # type: ignore[no-untyped-def]
    """Base URL of the local-stack platform's portal (Keycloak login)."""
    return PORTAL_URLS[local_gateway]
