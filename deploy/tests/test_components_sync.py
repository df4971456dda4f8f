"""The Dockerfile's dependency layer and the root pyproject follow deploy/components.yaml."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("sync_components", ROOT / "tools" / "sync_components.py")
assert _spec and _spec.loader
sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync)


def test_the_repository_is_in_step_with_its_registry() -> None:
    assert sync.lagging() == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the files the registry drives, with a service added to the registry."""
    for rel in ("deploy/components.yaml", "deploy/topics.yaml", "deploy/docker/Dockerfile", "pyproject.toml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, tmp_path / rel)
    (tmp_path / "charts" / "ywtb" / "files").mkdir(parents=True)
    registry = tmp_path / "deploy" / "components.yaml"
    registry.write_text(
        registry.read_text()
        + """
  syncprobe:
    description: a component that exists only in this test
    module: ywtb.syncprobe
    path: services/syncprobe
    env_prefix: YWTB_SYNCPROBE_
    ports: {grpc: 59999, metrics: null}
    api: ywtb.api.syncprobe.v1.SyncprobeService
    backends: [postgresql, kafka]
"""
    )
    return tmp_path


def test_a_new_component_is_reported_then_written(tree: Path) -> None:
    problems = sync.lagging(tree)
    assert any("Dockerfile" in p for p in problems), problems
    assert any("ywtb-syncprobe" in p for p in problems), problems
    sync.write(tree)
    assert sync.lagging(tree) == []
    assert (
        "COPY services/syncprobe/pyproject.toml services/syncprobe/pyproject.toml"
        in (tree / "deploy" / "docker" / "Dockerfile").read_text()
    )
    pyproject = (tree / "pyproject.toml").read_text()
    assert "ywtb-syncprobe = { workspace = true }" in pyproject and '  "ywtb-syncprobe",' in pyproject
    assert (tree / "charts" / "ywtb" / "files" / "components.yaml").read_bytes() == (
        tree / "deploy" / "components.yaml"
    ).read_bytes()
    sync.write(tree)  # twice changes nothing
    assert (tree / "pyproject.toml").read_text() == pyproject
