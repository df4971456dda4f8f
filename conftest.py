"""Root pytest configuration: load the local stack's settings and the shared fixtures."""

import os
from pathlib import Path

pytest_plugins = ["ywtb.common.testing.fixtures"]


def _load_stack_env() -> None:
    env_file = Path(__file__).parent / ".run" / "stack.env"
    if not env_file.exists():
        return
    for line in env_file.read_text().splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            os.environ.setdefault(name, value.strip().strip('"').strip("'"))


_load_stack_env()
