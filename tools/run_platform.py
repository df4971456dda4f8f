"""Every ywtb component of deploy/components.yaml as a local process, supervised together.

    python tools/run_platform.py                 # make run: the embedded default (SQLite, embedded event log)
    python tools/run_platform.py --stack local   # make up: on the local stack (PostgreSQL, Kafka, Redis)
    python tools/run_platform.py --stack local --replicas intake=2,approval=2   # (or YWTB_REPLICAS=...)
    python tools/run_platform.py --images        # every component a container of its image (make images)

The components, their ports, what they call and need come from the registry (ywtb.common.components);
YWTB_PORT_OFFSET shifts every port (the e2e tests run platforms side by side); a component's own
<PREFIX>GRPC_PORT / <PREFIX>HTTP_PORT (e.g. YWTB_PORTAL_HTTP_PORT=9090) moves just that one; YWTB_KAFKA_NAMESPACE
gives the platform topics and consumer groups of its own on the shared Kafka. On the local stack each
service with a database gets its own PostgreSQL database (`<prefix>_<service>`, created when missing),
Kafka from `.run/stack.env`, and Redis where the registry says so. Login there is Keycloak's (realm
ywtb): identity provisions the accounts into it with the identity-admin client's secret (rotated by
`make up`, in `.run/keycloak/secrets.env`), the gateway accepts Keycloak's tokens.

Replicas (local stack only: SQLite and the embedded event log are one machine's): replica k of a
component serves on its port + k * YWTB_REPLICA_PORT_STEP (default 100), shares its database and Kafka
consumer group, and has its own data directory and OpenTelemetry `service.instance.id` (`intake-1`);
its callers get every replica's address (`127.0.0.1:50063,127.0.0.1:50163`: round_robin in the gRPC
client). A replica that dies is started again, as a Deployment's pod would be (the others serve
meanwhile); a component of one process that dies still stops the platform. RUN_DIR/processes.json
lists every process (name, pid, port).

With --images (or YWTB_PLATFORM_IMAGES=1) every process is a podman container of the component's image
(ywtb.common.containers: the chart's security flags, the host network), its data directory mounted at
the same path, so the run is the same platform from the images ops teams deploy.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ywtb.common.components import SHARED_SECRETS, Component, registry
from ywtb.common.containers import (
    APP_UID,
    image_of,
    missing_images,
    podman,
    podman_env,
    run_args,
    unavailable,
)
from ywtb.common.health import healthy

ROOT = Path(__file__).resolve().parent.parent
STACK = (
    "local" if "--stack" in sys.argv and sys.argv[sys.argv.index("--stack") + 1] == "local" else "embedded"
)
RUN_DIR = Path(
    os.environ.get("YWTB_RUN_DIR") or ROOT / ".run" / ("platform-local" if STACK == "local" else "embedded")
)
DB_PREFIX = os.environ.get("YWTB_DB_PREFIX", "ywtb")
PORT_OFFSET = int(os.environ.get("YWTB_PORT_OFFSET", "0"))
REPLICA_PORT_STEP = int(os.environ.get("YWTB_REPLICA_PORT_STEP", "100"))
COMPONENTS = [*registry().simulators(), *registry()]  # outside systems' stand-ins first
DEMO_CASE = "--demo-case" in sys.argv  # make run: drive the demo case to its licence once the platform is up
FROM_IMAGES = "--images" in sys.argv or os.environ.get("YWTB_PLATFORM_IMAGES") == "1"
RESTARTS_PER_MINUTE = 5  # a replica dying faster than this is crash-looping: stop the platform


def parse_replicas(spec: str) -> dict[str, int]:
    """`intake=2,approval=2` -> {"intake": 2, "approval": 2}; exits on an unknown component or count."""
    counts: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, count = item.partition("=")
        if (
            name not in registry()
            or not registry()[name].is_grpc
            or not count.isdigit()
            or not 1 <= int(count) <= 9
        ):
            sys.exit(f"--replicas: {item!r} is not <gRPC service>=<1..9> of deploy/components.yaml")
        counts[name] = int(count)
    return counts


REPLICAS = parse_replicas(
    sys.argv[sys.argv.index("--replicas") + 1]
    if "--replicas" in sys.argv
    else os.environ.get("YWTB_REPLICAS", "")
)


def port_of(component: Component, index: int = 0) -> int:
    """Replica `index`'s serving port on this run: <PREFIX>GRPC_PORT / HTTP_PORT when set, else the registry's."""
    variable = f"{component.env_prefix}{'GRPC' if component.is_grpc else 'HTTP'}_PORT"
    return (
        int(os.environ.get(variable) or component.ports.serving() + PORT_OFFSET) + index * REPLICA_PORT_STEP
    )


def replicas_of(component: Component) -> int:
    """How many processes of the component this run starts."""
    return REPLICAS.get(component.name, 1)


def address_of(name: str) -> str:
    """host:port of a component on this run; every replica's, comma-separated, when it has several."""
    component = registry()[name]
    return ",".join(f"127.0.0.1:{port_of(component, k)}" for k in range(replicas_of(component)))


def check_replica_ports() -> None:
    """Exit when a replica's port is another process's port on this run."""
    taken: dict[int, str] = {}
    for component in COMPONENTS:
        ports = [port_of(component, k) for k in range(replicas_of(component))]
        ports += [p + PORT_OFFSET for p in component.ports.all() if p != component.ports.serving()]
        for port in ports:
            if port in taken:
                sys.exit(
                    f"port {port} of {component.name} is also {taken[port]}'s: change YWTB_REPLICA_PORT_STEP"
                )
            taken[port] = component.name


@dataclass
class Process:
    """One running process of a component: replica `index` (0 = the component's own port)."""

    component: Component
    index: int
    proc: subprocess.Popen  # type: ignore[type-arg]
    started: list[float]

    @property
    def name(self) -> str:
        return self.component.name if self.index == 0 else f"{self.component.name}-{self.index}"

    @property
    def port(self) -> int:
        return port_of(self.component, self.index)


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


def component_env(component: Component, index: int = 0) -> dict[str, str]:
    """Environment of one component's replica `index`: mode, port, peers, database, event bus and secrets."""
    data = RUN_DIR / (component.name if index == 0 else f"{component.name}-{index}")
    data.mkdir(parents=True, exist_ok=True)
    if FROM_IMAGES:  # the image's user writes its data directory and, in RUN_DIR, the event log
        for path in (RUN_DIR, *RUN_DIR.glob("events.db*"), data, *data.rglob("*")):
            os.chown(path, APP_UID, APP_UID)
    p = component.env_prefix
    env = {
        **os.environ,
        f"{p}MODE": STACK,
        f"{p}INTERNAL_SIGNING_KEY": local_secret("internal-signing.key"),
        f"{p}DATA_DIR": str(data),
        f"{p}EVENT_LOG_PATH": str(RUN_DIR / "events.db"),
        "OTEL_RESOURCE_ATTRIBUTES": ",".join(
            filter(
                None,
                (os.environ.get("OTEL_RESOURCE_ATTRIBUTES"), f"service.instance.id={component.name}-{index}"),
            )
        ),
    }
    if component.is_grpc:
        env[f"{p}GRPC_PORT"] = str(port_of(component, index))
    else:
        env[f"{p}HTTP_PORT"] = str(port_of(component, index))
    if component.uses("postgresql"):
        env[f"{p}DATABASE_URL"] = f"sqlite:///{data / 'service.db'}"
    for callee in component.calls:
        env[f"{p}{callee.upper()}_TARGET"] = address_of(callee)
    for secret in component.secrets:
        owner = "" if secret in SHARED_SECRETS else f"{component.name}-"
        env[p + secret.upper()] = local_secret(f"{owner}{secret.replace('_', '-')}.key")
    for simulator in registry().simulators():  # an outside system's stand-in, where the setting points
        if component.name in simulator.simulates:
            env[p + simulator.simulates[component.name].upper()] = f"http://{address_of(simulator.name)}"
    for name, value in component.dev_env.items():
        env[p + name] = value
    if STACK == "local":
        stack = stack_env()
        env[f"{p}KAFKA_BOOTSTRAP"] = stack["YWTB_KAFKA_BOOTSTRAP"]
        if stack.get("YWTB_KAFKA_NAMESPACE"):  # a platform of its own beside others on the one Kafka
            env[f"{p}KAFKA_NAMESPACE"] = stack["YWTB_KAFKA_NAMESPACE"]
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


def wait_healthy(process: Process, timeout: float = 90) -> None:
    """Wait until the process reports healthy; exit when it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            sys.exit(
                f"{process.name} exited with {process.proc.returncode} during start-up; see the log above"
            )
        if healthy(process.component.is_grpc, process.port):
            return
        time.sleep(0.3)
    sys.exit(f"{process.name} did not become healthy within {timeout:.0f}s")


def start(component: Component, index: int, started: list[float] | None = None) -> Process:
    """Start replica `index` of the component (a container of its image with --images)."""
    env = component_env(component, index)
    if (
        FROM_IMAGES and not component.is_simulator
    ):  # a simulator has no image: a process beside the containers
        podman("rm", "--force", "--ignore", container_name(component, index), check=False)
        proc = subprocess.Popen(["podman", *container_args(component, index, env)], env=podman_env())
    else:
        proc = subprocess.Popen([sys.executable, "-m", component.module], env=env)
    return Process(component, index, proc, [*(started or []), time.monotonic()])


def container_name(component: Component, index: int) -> str:
    """The container of replica `index` on this run (unique per port shift)."""
    return f"ywtb-{PORT_OFFSET}-{component.name}-{index}"


def container_args(component: Component, index: int, env: dict[str, str]) -> list[str]:
    """`podman run` of the component's image: its own settings only, RUN_DIR mounted at the same path."""
    own = {k: v for k, v in env.items() if k.startswith(component.env_prefix) or k.startswith("OTEL_")}
    return run_args(container_name(component, index), image_of(component.name), own, [f"{RUN_DIR}:{RUN_DIR}"])


def write_processes(processes: list[Process]) -> None:
    """RUN_DIR/processes.json: every process's name, component, pid and port (rewritten on each restart)."""
    listing = [
        {"name": p.name, "component": p.component.name, "pid": p.proc.pid, "port": p.port} for p in processes
    ]
    tmp = RUN_DIR / "processes.json.tmp"
    tmp.write_text(json.dumps(listing, indent=1))
    tmp.replace(RUN_DIR / "processes.json")


def restarted(process: Process) -> Process | None:
    """A new process in place of a dead replica; None when it is a single process or crash-looping."""
    recent = [t for t in process.started if t > time.monotonic() - 60]
    if replicas_of(process.component) == 1 or len(recent) >= RESTARTS_PER_MINUTE:
        return None
    print(
        f"{process.name} exited with {process.proc.returncode}; starting it again",
        file=sys.stderr,
        flush=True,
    )
    return start(process.component, process.index, recent)


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
        *(f"  {c.name:<12} http://{address_of(c.name)}/  ({c.description})" for c in registry().simulators()),
        *([f"  replicas     {', '.join(f'{n}={k}' for n, k in REPLICAS.items())}"] if REPLICAS else []),
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


def demo_case() -> None:
    """Drive the demo cases (tools/demo_case.py) and say where their licence and fee are; a failure is
    reported, not fatal."""
    from demo_case import drive, drive_fee_case, drive_refunded_fee_case

    gateway = f"http://{registry()['gateway'].target(offset=PORT_OFFSET)}"
    try:
        case_no = drive(gateway)
    except Exception as exc:  # the platform keeps running: the demo case is a convenience
        print(f"demo case: not driven ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        return
    if case_no:
        print(f"demo case {case_no}: approved; its 营业执照 is in 张三's 我的证照 (/licences)", flush=True)
    try:
        fee_case = drive_fee_case(gateway)
    except Exception as exc:
        print(f"demo fee case: not driven ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        return
    if not fee_case:
        return
    print(
        f"demo fee case {fee_case}: decided; its 工本费 awaits payment "
        f"(GET /api/v1/payment/cases/{fee_case}/orders: the pay_url on the platform simulator)",
        flush=True,
    )
    try:
        refunded = drive_refunded_fee_case(gateway)
    except Exception as exc:
        print(f"demo refund: not driven ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        return
    print(
        f"demo fee case {refunded}: paid, 5.00 元 refunded (workbench 缴费订单, jinjiang.policeadmin)",
        flush=True,
    )


def main() -> None:
    """Start everything, print where it is, restart dead replicas, stop everything on Ctrl-C or when a
    single-process component dies."""
    if REPLICAS and STACK != "local" and any(k > 1 for k in REPLICAS.values()):
        sys.exit("--replicas needs --stack local: SQLite and the embedded event log serve one process each")
    check_replica_ports()
    if FROM_IMAGES and (reason := unavailable()):
        sys.exit(f"--images: {reason}")
    if FROM_IMAGES and (missing := missing_images([c.name for c in registry()])):
        sys.exit(f"--images: not built: {', '.join(missing)} (make images)")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    processes: list[Process] = []

    def stop(*_: object) -> None:
        for process in processes:
            if process.proc.poll() is None:
                process.proc.terminate()
        for process in processes:
            try:
                process.proc.wait(10)
            except subprocess.TimeoutExpired:
                process.proc.kill()
            if FROM_IMAGES:  # a container its killed podman client left behind
                podman(
                    "rm", "--force", "--ignore", container_name(process.component, process.index), check=False
                )
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for component in COMPONENTS:
        for index in range(replicas_of(component)):  # one after another: replica 0 migrates the database
            processes.append(start(component, index))
            write_processes(processes)
            wait_healthy(processes[-1])
    print(banner(), flush=True)
    if DEMO_CASE and STACK == "embedded":
        threading.Thread(target=demo_case, name="demo-case", daemon=True).start()
    while True:
        for n, process in enumerate(processes):
            if process.proc.poll() is None:
                continue
            again = restarted(process)
            if again is None:
                print(
                    f"{process.name} exited with {process.proc.returncode}; stopping the platform",
                    file=sys.stderr,
                )
                stop()
            else:
                processes[n] = again
                write_processes(processes)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
