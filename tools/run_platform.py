"""Every ywtb component of deploy/components.yaml as a local process, supervised together.

    python tools/run_platform.py                 # make run: the embedded default (SQLite, embedded event log)
    python tools/run_platform.py --stack local   # make up: on the local stack (PostgreSQL, Kafka, Redis)

The components, their ports, what they call and need come from the registry (ywtb.common.components);
YWTB_PORT_OFFSET shifts every port (the e2e tests run platforms side by side); a component's own
<PREFIX>GRPC_PORT / <PREFIX>HTTP_PORT (e.g. YWTB_PORTAL_HTTP_PORT=9090) moves just that one. On the local stack each
service with a database gets its own PostgreSQL database (`<prefix>_<service>`, created when missing),
Kafka from `.run/stack.env`, and Redis where the registry says so. Login there is Keycloak's (realm
ywtb): identity provisions the accounts into it with the identity-admin client's secret (rotated by
`make up`, in `.run/keycloak/secrets.env`), the gateway accepts Keycloak's tokens.
"""

from __future__ import annotations

import functools
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ywtb.common.components import Component, registry

ROOT = Path(__file__).resolve().parent.parent
STACK = (
    "local" if "--stack" in sys.argv and sys.argv[sys.argv.index("--stack") + 1] == "local" else "embedded"
)
RUN_DIR = Path(
    os.environ.get("YWTB_RUN_DIR") or ROOT / ".run" / ("platform-local" if STACK == "local" else "embedded")
)
DB_PREFIX = os.environ.get("YWTB_DB_PREFIX", "ywtb")
PORT_OFFSET = int(os.environ.get("YWTB_PORT_OFFSET", "0"))
COMPONENTS = list(registry())


def port_of(component: Component) -> int:
    """The component's serving port on this run: <PREFIX>GRPC_PORT / HTTP_PORT when set, else the registry's."""
    variable = f"{component.env_prefix}{'GRPC' if component.is_grpc else 'HTTP'}_PORT"
    return int(os.environ.get(variable) or component.ports.serving() + PORT_OFFSET)


def address_of(name: str) -> str:
    """host:port of a component on this run."""
    return f"127.0.0.1:{port_of(registry()[name])}"


def local_secret(name: str) -> str:
    """A secret of this machine's embedded run, made once and kept in .run/embedded/."""
    path = RUN_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@functools.cache
def stack_env() -> dict[str, str]:
    """The local stack's addresses: the environment, else .run/stack.env written by deploy/local/up.sh."""
    values = {}
    env_file = ROOT / ".run" / "stack.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            line = line.strip().removeprefix("export ").strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                values[name] = value
    values.update({k: v for k, v in os.environ.items() if k.startswith("YWTB_")})
    required = (
        "YWTB_POSTGRES_URL",
        "YWTB_KAFKA_BOOTSTRAP",
        "YWTB_REDIS_URL",
        "YWTB_KEYCLOAK_URL",
        "YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET",
    )
    missing = [n for n in required if not values.get(n)]
    if missing:
        sys.exit(f"the local stack is not running ({', '.join(missing)} unknown): run `make up` first")
    return values


def service_database(base_url: str, name: str) -> str:
    """The URL of the service's own PostgreSQL database, created when missing."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    database = f"{DB_PREFIX}_{name}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}):
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def component_env(component: Component) -> dict[str, str]:
    """Environment of one component: its mode, port, peers, database, event bus and secrets."""
    data = RUN_DIR / component.name
    data.mkdir(parents=True, exist_ok=True)
    p = component.env_prefix
    env = {
        **os.environ,
        f"{p}MODE": STACK,
        f"{p}INTERNAL_SIGNING_KEY": local_secret("internal-signing.key"),
        f"{p}DATA_DIR": str(data),
        f"{p}EVENT_LOG_PATH": str(RUN_DIR / "events.db"),
    }
    if component.is_grpc:
        env[f"{p}GRPC_PORT"] = str(port_of(component))
    else:
        env[f"{p}HTTP_PORT"] = str(port_of(component))
    if component.uses("postgresql"):
        env[f"{p}DATABASE_URL"] = f"sqlite:///{data / 'service.db'}"
    for callee in component.calls:
        env[f"{p}{callee.upper()}_TARGET"] = address_of(callee)
    for secret in component.secrets:
        env[p + secret.upper()] = local_secret(f"{component.name}-{secret.replace('_', '-')}.key")
    for name, value in component.dev_env.items():
        env[p + name] = value
    if STACK == "local":
        stack = stack_env()
        env[f"{p}KAFKA_BOOTSTRAP"] = stack["YWTB_KAFKA_BOOTSTRAP"]
        if component.uses("postgresql"):
            env[f"{p}DATABASE_URL"] = service_database(stack["YWTB_POSTGRES_URL"], component.name)
        if component.uses("redis"):
            env[f"{p}REDIS_URL"] = stack["YWTB_REDIS_URL"]
        if component.uses("keycloak"):
            env[f"{p}KEYCLOAK_URL"] = stack["YWTB_KEYCLOAK_URL"]
        if component.name == "gateway":
            env[f"{p}AUTH_MODE"] = "keycloak"
        if component.name == "identity":  # provisions the accounts into Keycloak
            env[f"{p}DIRECTORY"] = "keycloak"
            env[f"{p}KEYCLOAK_REALM"] = stack.get("YWTB_KEYCLOAK_REALM") or "ywtb"
            env[f"{p}KEYCLOAK_CLIENT_SECRET"] = stack["YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"]
    return env


def grpc_serving(port: int) -> bool:
    """True when the gRPC health service on the port answers SERVING."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def http_ok(url: str) -> bool:
    """True when the URL answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(component: Component, proc: subprocess.Popen, timeout: float = 90) -> None:  # type: ignore[type-arg]
    """Wait until the component reports healthy; exit when it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{component.name} exited with {proc.returncode} during start-up; see the log above")
        if component.is_grpc and grpc_serving(port_of(component)):
            return
        if not component.is_grpc and http_ok(f"http://127.0.0.1:{port_of(component)}/healthz"):
            return
        time.sleep(0.3)
    sys.exit(f"{component.name} did not become healthy within {timeout:.0f}s")


def banner() -> str:
    """Where everything is, and the demo accounts (sample data)."""
    from ywtb.identity.seed import demo_accounts

    gateway, portal = (f"http://{address_of(name)}" for name in ("gateway", "portal"))
    if STACK == "embedded":
        headline = "ywtb 一网通办 is running on the embedded default (SQLite, embedded event log, built-in token issuer)."
        issuer = f"{gateway}/realms/ywtb"
    else:
        keycloak = stack_env()["YWTB_KEYCLOAK_URL"].rstrip("/")
        headline = "ywtb 一网通办 is running on the local stack (PostgreSQL, Kafka, Redis; Keycloak login)."
        issuer = f"{keycloak}/realms/ywtb"
    lines = [
        "",
        headline,
        f"  portal       {portal}/  (办事大厅: citizens log in here)",
        f"  workbench    {portal}/workbench/  (工作台: intake queue, approval tasks)",
        f"  admin        {portal}/admin/  (管理端: departments, staff, items)",
        f"  gateway      {gateway}/  (API docs: /docs, OpenAPI: /openapi.json)",
        f"  login (OIDC) {issuer}/.well-known/openid-configuration",
        f"  search       {gateway}/api/v1/catalog/search?q=yyzz  (sample catalogue: 83 items, 4 一件事 bundles)",
        *(f"  {c.name:<12} gRPC {address_of(c.name)}  ({c.description})" for c in registry().services()),
        f"  data         {RUN_DIR}",
        *(
            []
            if STACK == "embedded"
            else [f"  keycloak     {keycloak}/admin/ (realm ywtb; admin console admin/admin)"]
        ),
        "Demo accounts (sample data; password / roles):",
    ]
    lines += [f"  {user:<22} {password:<14} {roles}" for user, password, roles in demo_accounts()]
    return "\n".join([*lines, "Press Ctrl-C to stop.", ""])


def main() -> None:
    """Start everything, print where it is, and stop everything on Ctrl-C or when one part dies."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    procs: list[tuple[Component, subprocess.Popen]] = []  # type: ignore[type-arg]

    def stop(*_: object) -> None:
        for _component, proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for _component, proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for component in COMPONENTS:
        proc = subprocess.Popen([sys.executable, "-m", component.module], env=component_env(component))
        procs.append((component, proc))
        wait_healthy(component, proc)
    print(banner(), flush=True)
    while True:
        for component, proc in procs:
            if proc.poll() is not None:
                print(
                    f"{component.name} exited with {proc.returncode}; stopping the platform", file=sys.stderr
                )
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
