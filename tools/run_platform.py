"""Every ywtb component as a local process, supervised together.

    python tools/run_platform.py                 # make run: the embedded default (SQLite, embedded event log)
    python tools/run_platform.py --stack local   # make up: on the local stack (PostgreSQL, Kafka, Redis)

On the local stack each service gets its own PostgreSQL database (`<prefix>_<service>`, created when
missing), Kafka from `.run/stack.env`, and the catalogue's guide cache in Redis. Login there is
Keycloak's (realm ywtb): identity provisions the accounts into it with the identity-admin client's
secret (rotated by `make up`, in `.run/keycloak/secrets.env`), the gateway accepts Keycloak's tokens.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK = (
    "local" if "--stack" in sys.argv and sys.argv[sys.argv.index("--stack") + 1] == "local" else "embedded"
)
RUN_DIR = Path(
    os.environ.get("YWTB_RUN_DIR") or ROOT / ".run" / ("platform-local" if STACK == "local" else "embedded")
)
DB_PREFIX = os.environ.get("YWTB_DB_PREFIX", "ywtb")
PORT_BASE = int(os.environ.get("YWTB_PORT_BASE", "50060"))  # identity +1, catalog +2, intake +3, approval +4
GATEWAY_PORT = int(os.environ.get("YWTB_GATEWAY_HTTP_PORT", "8000"))
PORTAL_PORT = int(os.environ.get("YWTB_PORTAL_HTTP_PORT", "8080"))


@dataclass(frozen=True)
class Component:
    """One process of the platform: its module, the env prefix of its settings, how to see it is up."""

    name: str
    module: str
    env_prefix: str
    health_url: str | None = None
    grpc_port: int | None = None
    extra_env: tuple[tuple[str, str], ...] = ()


IDENTITY, CATALOG, INTAKE, APPROVAL = (f"127.0.0.1:{PORT_BASE + n}" for n in range(1, 5))
COMPONENTS = [
    Component(
        "identity",
        "ywtb.identity",
        "YWTB_IDENTITY_",
        grpc_port=PORT_BASE + 1,
        extra_env=(("SEED_DEMO", "true"), ("PII_KEY", "@identity-pii.key")),
    ),
    Component(
        "catalog",
        "ywtb.catalog",
        "YWTB_CATALOG_",
        grpc_port=PORT_BASE + 2,
        extra_env=(("SEED_DEMO", "true"),),
    ),
    Component(
        "intake",
        "ywtb.intake",
        "YWTB_INTAKE_",
        grpc_port=PORT_BASE + 3,
        extra_env=(
            ("PII_KEY", "@intake-pii.key"),
            ("IDENTITY_TARGET", IDENTITY),
            ("CATALOG_TARGET", CATALOG),
        ),
    ),
    Component("approval", "ywtb.approval", "YWTB_APPROVAL_", grpc_port=PORT_BASE + 4),
    Component(
        "gateway",
        "ywtb.gateway",
        "YWTB_GATEWAY_",
        health_url=f"http://127.0.0.1:{GATEWAY_PORT}/healthz",
        extra_env=(
            ("IDENTITY_TARGET", IDENTITY),
            ("CATALOG_TARGET", CATALOG),
            ("INTAKE_TARGET", INTAKE),
            ("APPROVAL_TARGET", APPROVAL),
        ),
    ),
    Component(
        "portal",
        "ywtb.portal",
        "YWTB_PORTAL_",
        health_url=f"http://127.0.0.1:{PORTAL_PORT}/healthz",
        extra_env=(("GATEWAY_URL", f"http://127.0.0.1:{GATEWAY_PORT}"),),
    ),
]


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
    """Environment of one component: its mode, database, event bus and secrets."""
    data = RUN_DIR / component.name
    data.mkdir(parents=True, exist_ok=True)
    p = component.env_prefix
    env = {
        **os.environ,
        f"{p}MODE": STACK,
        f"{p}INTERNAL_SIGNING_KEY": local_secret("internal-signing.key"),
        f"{p}DATA_DIR": str(data),
        f"{p}DATABASE_URL": f"sqlite:///{data / 'service.db'}",
        f"{p}EVENT_LOG_PATH": str(RUN_DIR / "events.db"),
    }
    if STACK == "local":
        stack = stack_env()
        env[f"{p}KAFKA_BOOTSTRAP"] = stack["YWTB_KAFKA_BOOTSTRAP"]
        if component.name in ("gateway", "portal"):  # no database of their own; Keycloak login
            env.pop(f"{p}DATABASE_URL")
            env[f"{p}KEYCLOAK_URL"] = stack["YWTB_KEYCLOAK_URL"]
        else:
            env[f"{p}DATABASE_URL"] = service_database(stack["YWTB_POSTGRES_URL"], component.name)
        if component.name == "gateway":
            env[f"{p}AUTH_MODE"] = "keycloak"
        if component.name in ("catalog", "portal"):  # guide cache; sessions
            env[f"{p}REDIS_URL"] = stack["YWTB_REDIS_URL"]
        if component.name == "identity":
            env[f"{p}DIRECTORY"] = "keycloak"
            env[f"{p}KEYCLOAK_URL"] = stack["YWTB_KEYCLOAK_URL"]
            env[f"{p}KEYCLOAK_REALM"] = stack.get("YWTB_KEYCLOAK_REALM") or "ywtb"
            env[f"{p}KEYCLOAK_CLIENT_SECRET"] = stack["YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"]
    if component.grpc_port:
        env[f"{p}GRPC_PORT"] = str(component.grpc_port)
    for name, value in component.extra_env:
        env[p + name] = local_secret(value[1:]) if value.startswith("@") else value
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
        if component.grpc_port and grpc_serving(component.grpc_port):
            return
        if component.health_url and http_ok(component.health_url):
            return
        time.sleep(0.3)
    sys.exit(f"{component.name} did not become healthy within {timeout:.0f}s")


def banner() -> str:
    """Where everything is, and the demo accounts (sample data)."""
    from ywtb.identity.seed import demo_accounts

    if STACK == "embedded":
        headline = "ywtb 一网通办 is running on the embedded default (SQLite, embedded event log, built-in token issuer)."
        issuer = f"http://127.0.0.1:{GATEWAY_PORT}/realms/ywtb"
    else:
        keycloak = stack_env()["YWTB_KEYCLOAK_URL"].rstrip("/")
        headline = "ywtb 一网通办 is running on the local stack (PostgreSQL, Kafka, Redis; Keycloak login)."
        issuer = f"{keycloak}/realms/ywtb"
    lines = [
        "",
        headline,
        f"  portal       http://127.0.0.1:{PORTAL_PORT}/  (办事大厅: citizens log in here)",
        f"  workbench    http://127.0.0.1:{PORTAL_PORT}/workbench/  (工作台: intake queue, approval tasks)",
        f"  admin        http://127.0.0.1:{PORTAL_PORT}/admin/  (管理端: departments, staff, items)",
        f"  gateway      http://127.0.0.1:{GATEWAY_PORT}/  (API docs: /docs, OpenAPI: /openapi.json)",
        f"  login (OIDC) {issuer}/.well-known/openid-configuration",
        f"  identity     gRPC {IDENTITY}",
        f"  catalog      gRPC {CATALOG}  (sample catalogue: 83 items, 4 一件事 bundles)",
        f"  search       http://127.0.0.1:{GATEWAY_PORT}/api/v1/catalog/search?q=yyzz",
        f"  intake       gRPC {INTAKE}  (applications: /api/v1/cases)",
        f"  approval     gRPC {APPROVAL}  (tasks: /api/v1/tasks)",
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
