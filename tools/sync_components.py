"""Bring the files derived from deploy/components.yaml in step with it, or check that they are.

    uv run python tools/sync_components.py          # write: the Dockerfile's dependency layer, the root
                                                    # pyproject's workspace sources and dev group
    uv run python tools/sync_components.py --check  # exit 1 naming each file that lags (the tests run it)

The chart's copies (charts/ywtb/files/components.yaml, topics.yaml) are compared by tools/test_chart.sh
like the other copies of deploy/ files; this script copies them too when writing.
"""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from pathlib import Path

from ywtb.common.components import Registry, load_components

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# components: begin", "# components: end"
SHARED = ("ywtb-common", "ywtb-api")


def docker_block(registry: Registry) -> list[str]:
    """The COPY lines of every component's pyproject.toml (the cached dependency layer)."""
    return [f"COPY {c.path}/pyproject.toml {c.path}/pyproject.toml" for c in registry]


def dockerfile_text(text: str, registry: Registry) -> str:
    """The Dockerfile with its components block rewritten."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(BEGIN))
    end = next(i for i, line in enumerate(lines) if line.startswith(END))
    return "\n".join([*lines[: start + 1], *docker_block(registry), *lines[end:]]) + "\n"


def pyproject_lacks(text: str, registry: Registry) -> tuple[list[str], list[str]]:
    """Packages missing from [tool.uv.sources] and from the dev dependency group."""
    data = tomllib.loads(text)
    sources = set(data["tool"]["uv"]["sources"])
    dev = {
        re.split(r"[<>=\[ ]", d, maxsplit=1)[0]
        for d in data["dependency-groups"]["dev"]
        if isinstance(d, str)
    }
    wanted = [*SHARED, *(c.package for c in registry)]
    return [p for p in wanted if p not in sources], [p for p in wanted if p not in dev]


def pyproject_text(text: str, registry: Registry) -> str:
    """The root pyproject with the missing workspace sources and dev dependencies added."""
    no_source, no_dev = pyproject_lacks(text, registry)
    lines = text.splitlines()
    if no_source:
        last = max(
            i for i, line in enumerate(lines) if re.match(r"^ywtb-[a-z0-9-]+ = \{ workspace = true \}", line)
        )
        lines[last + 1 : last + 1] = [f"{p} = {{ workspace = true }}" for p in no_source]
    if no_dev:
        last = max(i for i, line in enumerate(lines) if re.match(r'^  "ywtb-[a-z0-9-]+",$', line))
        lines[last + 1 : last + 1] = [f'  "{p}",' for p in no_dev]
    return "\n".join(lines) + "\n"


def lagging(root: Path = ROOT) -> list[str]:
    """What lags behind the registry under root (empty when everything is in step)."""
    registry = load_components(root / "deploy" / "components.yaml")
    problems = []
    dockerfile = root / "deploy" / "docker" / "Dockerfile"
    if dockerfile_text(dockerfile.read_text(), registry) != dockerfile.read_text():
        problems.append(f"{dockerfile.relative_to(root)}: its components block is not the registry's")
    no_source, no_dev = pyproject_lacks((root / "pyproject.toml").read_text(), registry)
    if no_source or no_dev:
        problems.append(f"pyproject.toml: missing from uv sources {no_source}, from the dev group {no_dev}")
    return problems


def write(root: Path = ROOT) -> None:
    """Rewrite the derived files under root from its registry."""
    registry = load_components(root / "deploy" / "components.yaml")
    dockerfile = root / "deploy" / "docker" / "Dockerfile"
    dockerfile.write_text(dockerfile_text(dockerfile.read_text(), registry))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject_text(pyproject.read_text(), registry))
    for copied in ("components.yaml", "topics.yaml"):  # the chart's copies (compared by tools/test_chart.sh)
        shutil.copyfile(root / "deploy" / copied, root / "charts" / "ywtb" / "files" / copied)


def main() -> int:
    """Check or write; see the module docstring."""
    if "--check" in sys.argv[1:]:
        problems = lagging()
        for problem in problems:
            print(
                f"sync_components: {problem} (run: uv run python tools/sync_components.py)", file=sys.stderr
            )
        return 1 if problems else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
