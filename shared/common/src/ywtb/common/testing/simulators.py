"""A simulator of an outside system run as its own process for a test: a free port, a data directory, restartable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from ywtb.common.testing.conformance import free_port


class SimulatorProcess:
    """`python -m <module>` with its settings (<env_prefix><NAME>), ready once /healthz answers."""

    def __init__(self, module: str, env_prefix: str, data_dir: Path, settings: Mapping[str, str]) -> None:
        self.module = module
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "simulator.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(env_prefix)}
        self.env.update(
            {
                f"{env_prefix}HTTP_PORT": str(self.port),
                f"{env_prefix}DATA_DIR": str(data_dir),
                **{f"{env_prefix}{name}": value for name, value in settings.items()},
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30) -> None:
        """Start the process and wait until it is ready (its output goes to `log`)."""
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, f"simulator exited: {self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"simulator not ready: {self.log.read_text()[-3000:]}"
            time.sleep(0.1)

    def __enter__(self) -> SimulatorProcess:
        """Started (`with SimulatorProcess(...) as sim:` stops it at the end)."""
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Terminate the process (killed after 10 s)."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
