"""make new-service stays working: a throwaway service is generated into a temporary tree and its tests,
its lint and its conformance test pass there (the real repository is not touched)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
NAME = "scaffoldprobe"
# The files the scaffold edits, copied into the temporary tree.
EDITED = [
    "deploy/components.yaml",
    "deploy/topics.yaml",
    "deploy/docker/Dockerfile",
    "pyproject.toml",
    "charts/ywtb/values.yaml",
    "charts/ywtb/files/components.yaml",
    "charts/ywtb/files/topics.yaml",
]


def _tool(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary tree with the service scaffolded and its protos compiled into gen/."""
    root = tmp_path_factory.mktemp("scaffold")
    for rel in EDITED:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, root / rel)
    port = _tool("new_service").scaffold(root, NAME, "示例")
    assert (
        port
        == max(
            c["ports"].get("grpc") or 0
            for c in yaml.safe_load((ROOT / EDITED[0]).read_text())["components"].values()
        )
        + 1
    )
    (root / "gen").mkdir()
    protos = sorted(str(p.relative_to(root / "protos")) for p in (root / "protos").rglob("*.proto"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            "--proto_path=protos",
            "--python_out=gen",
            "--grpc_python_out=gen",
            *protos,
        ],
        cwd=root,
        check=True,
    )
    return root


def test_the_registry_chart_dockerfile_and_pyproject_name_it(tree: Path) -> None:
    assert _tool("sync_components").lagging(tree) == []
    registry = yaml.safe_load((tree / "deploy" / "components.yaml").read_text())["components"]
    assert registry[NAME]["module"] == f"ywtb.{NAME}" and registry[NAME]["publishes"] == [
        f"ywtb.{NAME}.record.v1"
    ]
    assert f"  {NAME}:\n    enabled: true\n" in (tree / "charts" / "ywtb" / "values.yaml").read_text()
    assert (tree / "charts/ywtb/files/components.yaml").read_bytes() == (
        tree / "deploy/components.yaml"
    ).read_bytes()


def test_the_generated_code_passes_lint(tree: Path) -> None:
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *config, str(tree / "services")],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_its_tests_and_its_conformance_test_pass(tree: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tree / "services" / NAME / "src"), str(tree / "gen")]),
        "YWTB_COMPONENTS_FILE": str(tree / "deploy" / "components.yaml"),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-v",
        "-p",
        "no:cacheprovider",
        "-p",
        "ywtb.common.testing.fixtures",
        "--rootdir",
        str(ROOT),
        "-c",
        str(ROOT / "pyproject.toml"),
        "-m",
        "not integration",
        str(tree / "services" / NAME / "tests"),
        str(Path(__file__).parent),
        f"--ignore={__file__}",
        "-k",
        f"{NAME} or test_records or test_grpc",
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    conformance = [
        line
        for line in done.stdout.splitlines()
        if "conformance/test_" in line and "test_new_service" not in line
    ]
    assert len(conformance) >= 7 and all(f"[{NAME}] PASSED" in line for line in conformance), done.stdout[
        -4000:
    ]
    assert "test_records.py::test_others_are_refused" in done.stdout, done.stdout[-4000:]
