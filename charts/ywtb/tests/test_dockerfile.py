"""Policies of deploy/docker/Dockerfile (no docker engine here: the file is parsed, not built)."""

from __future__ import annotations

import re

from .conftest import ROOT

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _args() -> dict[str, str]:
    return {
        rest.split("=", 1)[0]: (rest.split("=", 1)[1] if "=" in rest else "")
        for word, rest in _instructions()
        if word == "ARG"
    }


def test_multi_stage_from_a_pinned_slim_python() -> None:
    froms = [rest for word, rest in _instructions() if word == "FROM"]
    assert len(froms) >= 2
    args = _args()
    for base in froms:
        image = base.split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert image.startswith("python:3.11-slim"), image
        assert ":" in image and not image.endswith(":latest")


def test_service_is_a_build_argument() -> None:
    assert "SERVICE" in _args()
    cmd = [rest for word, rest in _instructions() if word == "CMD"][-1]
    assert "ywtb.${SERVICE}" in cmd or "ywtb.$SERVICE" in cmd


def test_runs_as_a_non_root_user() -> None:
    users = [rest for word, rest in _instructions() if word == "USER"]
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_uses_uv_with_the_lock_file() -> None:
    runs = " ".join(rest for word, rest in _instructions() if word == "RUN")
    assert "uv sync --frozen --no-dev" in runs


def test_dockerignore_keeps_secrets_and_caches_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".run", ".cache", "*.env"):
        assert entry in ignored


def test_the_image_carries_the_component_registry() -> None:
    instructions = _instructions()
    assert ("ENV", "YWTB_COMPONENTS_FILE=/app/deploy/components.yaml") in instructions
    copies = [rest for word, rest in instructions if word == "COPY" and "deploy/components.yaml" in rest]
    assert copies and copies[-1].endswith("/app/deploy/"), copies
