"""make run: every ywtb component as a local process on the embedded default, supervised together."""

from __future__ import annotations

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
RUN_DIR = ROOT / ".run" / "embedded"
GATEWAY_PORT = int(os.environ.get("YWTB_GATEWAY_HTTP_PORT", "8000"))


@dataclass(frozen=True)
class Component:
    """One process of the platform: its module and the env prefix of its settings."""

    name: str
    module: str
    env_prefix: str
    health_url: str | None = None


COMPONENTS = [
    Component("gateway", "ywtb.gateway", "YWTB_GATEWAY_", f"http://127.0.0.1:{GATEWAY_PORT}/healthz"),
]


def signing_key() -> str:
    """The internal signing key of this machine's embedded run, made once and kept in .run/."""
    path = RUN_DIR / "internal-signing.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def component_env(component: Component, key: str) -> dict[str, str]:
    """Environment of one component: embedded mode, its SQLite file, the shared event log."""
    data = RUN_DIR / component.name
    data.mkdir(parents=True, exist_ok=True)
    p = component.env_prefix
    return {
        **os.environ,
        f"{p}MODE": "embedded",
        f"{p}INTERNAL_SIGNING_KEY": key,
        f"{p}DATA_DIR": str(data),
        f"{p}DATABASE_URL": f"sqlite:///{data / 'service.db'}",
        f"{p}EVENT_LOG_PATH": str(RUN_DIR / "events.db"),
    }


def wait_healthy(component: Component, proc: subprocess.Popen, timeout: float = 60) -> None:  # type: ignore[type-arg]
    """Wait until the component answers its health URL; exit when it dies first."""
    deadline = time.monotonic() + timeout
    while component.health_url and time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{component.name} exited with {proc.returncode} during start-up; see the log above")
        try:
            with urllib.request.urlopen(component.health_url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    if component.health_url:
        sys.exit(f"{component.name} did not become healthy within {timeout:.0f}s")


def main() -> None:
    """Start everything, print where it is, and stop everything on Ctrl-C or when one part dies."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    key = signing_key()
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
        proc = subprocess.Popen([sys.executable, "-m", component.module], env=component_env(component, key))
        procs.append((component, proc))
        wait_healthy(component, proc)
    print(
        "\n".join(
            [
                "",
                "ywtb 一网通办 is running on the embedded default (SQLite, embedded event log).",
                f"  gateway      http://127.0.0.1:{GATEWAY_PORT}/  (API docs: /docs, OpenAPI: /openapi.json)",
                f"  data         {RUN_DIR}",
                "Press Ctrl-C to stop.",
                "",
            ]
        ),
        flush=True,
    )
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
