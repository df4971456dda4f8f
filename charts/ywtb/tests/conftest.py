"""Renders of the ywtb chart for the policy tests (helm from .cache/bin, installed by tools/install_helm.sh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "charts" / "ywtb"
HELM = ROOT / ".cache" / "bin" / "helm"
KUBE_VERSION = "1.35.0"
EXAMPLES = sorted(p.stem for p in (CHART / "examples").glob("*.yaml"))


class RenderError(Exception):
    """helm template refused the values."""


def render(example: str = "minimal", *overrides: str, set_json: tuple[str, ...] = ()) -> list[dict]:
    """The objects of `helm template` for an example values file, `--set` and `--set-json` overrides."""
    if not HELM.exists():
        pytest.fail(f"helm is missing at {HELM}: run `bash tools/install_helm.sh` (make test does)")
    cmd = [str(HELM), "template", "ywtb", str(CHART), "--namespace", "ywtb", "--kube-version", KUBE_VERSION]
    cmd += ["-f", str(CHART / "examples" / f"{example}.yaml")]
    for item in overrides:
        cmd += ["--set", item]
    for item in set_json:
        cmd += ["--set-json", item]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RenderError(proc.stderr.strip())
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


@pytest.fixture(scope="session", params=EXAMPLES)
def rendered(request: pytest.FixtureRequest) -> list[dict]:
    return render(request.param)
