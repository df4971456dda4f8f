"""Scaffold a gRPC service on the service kit: `make new-service NAME=licence [TITLE=电子证照]`.

    uv run python tools/new_service.py licence --title 电子证照 [--root DIR]

Writes services/<name>/ (kit declaration, settings, models with outbox and inbox, migrations, a use-case
file, authz, events, servicer, tests) and protos/ywtb/api/<name>/v1/ from tools/new_service_templates/;
adds the component to deploy/components.yaml (the next free gRPC port), its topic to deploy/topics.yaml
and its block to the chart's values; then brings the Dockerfile, the root pyproject and the chart's copy
of the registry in step (tools/sync_components.py). `make new-service` goes on to generate the protos,
lock, regenerate the chart's golden renders and run the new service's tests and its conformance test.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path
from string import Template

from ywtb.common.components import NAME_RE, RegistryError, load_components

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "new_service_templates"
SUFFIX = ".tmpl"  # substituted ($name, $Name, $NAME, $title, $port); other files (Alembic's .mako) are copied as they are


def _sync():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "sync_components", Path(__file__).with_name("sync_components.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(root: Path, values: dict[str, str]) -> list[Path]:
    """Write every template under root (`__name__` in paths becomes the name); returns the files written."""
    written = []
    for source in sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = Path(
            *(part.replace("__name__", values["name"]) for part in source.relative_to(TEMPLATES).parts)
        )
        target = root / str(relative).removesuffix(SUFFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if source.suffix == SUFFIX:
            text = Template(text).substitute(values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def tidy(files: list[Path]) -> None:
    """Format the generated Python with the project's ruff settings (import order depends on the name)."""
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    subprocess.run(
        [*ruff, "check", "--fix", "--select", "I", "--quiet", *config, *map(str, files)], check=True
    )
    subprocess.run([*ruff, "format", "--quiet", *config, *map(str, files)], check=True)


def registry_entry(name: str, title: str, port: int) -> str:
    """The component's block of deploy/components.yaml."""
    return f"""
  {name}:
    description: {title} (made by make new-service)
    module: ywtb.{name}
    path: services/{name}
    env_prefix: YWTB_{name.upper()}_
    ports: {{grpc: {port}, metrics: null}}
    api: ywtb.api.{name}.v1.{name.capitalize()}Service
    backends: [postgresql, kafka]
    secrets: []
    calls: []
    publishes: [ywtb.{name}.record.v1]
    consumes: []
    public_rpcs: []
    dev_env: {{}}
"""


def topic_entry(name: str, title: str) -> str:
    """The service's topic in deploy/topics.yaml."""
    return f"""
  # ---- {name} {title}
  - name: ywtb.{name}.record.v1
    description: records of the {name} service created (record.created); key = record id
"""


def add_chart_values(values_file: Path, name: str) -> None:
    """A components.<name> block in the chart's values (enabled; the registry gives the rest)."""
    text = values_file.read_text()
    marker = "\n# -- Platform secrets"
    if marker not in text:
        raise SystemExit(
            f"new_service: {values_file} lacks the line '# -- Platform secrets' to insert before"
        )
    values_file.write_text(text.replace(marker, f"  {name}:\n    enabled: true\n{marker}", 1))


def scaffold(root: Path, name: str, title: str) -> int:
    """Create the service under root; returns its gRPC port."""
    registry_file = root / "deploy" / "components.yaml"
    registry = load_components(registry_file)
    if not NAME_RE.match(name):
        raise SystemExit(
            f"new_service: {name!r}: lowercase letters and digits, starting with a letter (e.g. licence)"
        )
    if name in registry or (root / "services" / name).exists() or name in ("common", "api"):
        raise SystemExit(f"new_service: {name!r} exists already")
    port = max(c.ports.grpc for c in registry.services() if c.ports.grpc) + 1
    written = render(
        root,
        {"name": name, "Name": name.capitalize(), "NAME": name.upper(), "title": title, "port": str(port)},
    )
    tidy([p for p in written if p.suffix == ".py"])
    registry_file.write_text(
        registry_file.read_text().rstrip("\n") + "\n" + registry_entry(name, title, port)
    )
    topics_file = root / "deploy" / "topics.yaml"
    topics_file.write_text(topics_file.read_text().rstrip("\n") + "\n" + topic_entry(name, title))
    add_chart_values(root / "charts" / "ywtb" / "values.yaml", name)
    try:
        load_components(registry_file)
    except RegistryError as exc:
        raise SystemExit(f"new_service: the registry entry is refused: {exc}") from exc
    _sync().write(root)
    return port


def main() -> int:
    """Scaffold from the command line."""
    parser = argparse.ArgumentParser(description="Scaffold a ywtb gRPC service on the service kit.")
    parser.add_argument("name", help="short lowercase name, e.g. licence (package ywtb.<name>)")
    parser.add_argument("--title", default="", help="the Chinese name, e.g. 电子证照")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root to write into")
    args = parser.parse_args()
    port = scaffold(args.root, args.name, args.title or args.name)
    print(
        f"new_service: services/{args.name} on gRPC port {port}; registry, topics, chart values, Dockerfile, pyproject"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
