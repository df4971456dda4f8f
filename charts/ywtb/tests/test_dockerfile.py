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


def test_the_charts_image_references_are_the_tags_make_images_builds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every Deployment and hook Job runs <repository>-<component>:<tag>, the name tools/images.py tags."""
    from ywtb.common.components import registry
    from ywtb.common.containers import image_of
    from ywtb.common.testing.kube_play import render as render_for_pods

    monkeypatch.setenv("YWTB_IMAGE_REPOSITORY", "registry.gov.example.cn/ywtb/ywtb")
    monkeypatch.setenv("YWTB_IMAGE_TAG", "1.4.2")
    stack = {"YWTB_KAFKA_BOOTSTRAP": "kafka:9092", "YWTB_KEYCLOAK_URL": "http://keycloak:8080"}
    manifests = render_for_pods(stack, namespace="check")
    by_workload = {
        m["metadata"]["name"]: c["image"]
        for m in manifests
        if m["kind"] in ("Deployment", "Job")
        for c in m["spec"]["template"]["spec"]["containers"]
    }
    deployments = {
        name.removeprefix("ywtb-"): image for name, image in by_workload.items() if "-migrate-" not in name
    }
    assert {name: deployments[name] for name in registry().names()} == {
        n: image_of(n) for n in registry().names()
    }
    assert all(image.startswith("registry.gov.example.cn/ywtb/ywtb-") for image in by_workload.values())
    for name, image in by_workload.items():
        if "-migrate-" in name:
            assert image == image_of(name.rsplit("-migrate-", 1)[1])
