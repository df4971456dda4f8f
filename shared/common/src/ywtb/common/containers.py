"""The platform's images under podman: the project-local podman config, image names, the chart's run flags.

Used from a checkout (tools/images.py, tools/run_platform.py --images, the image tests), never inside a
service: podman is configured by .run/podman/containers.conf (CONTAINERS_CONF), /etc is left alone.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[5]
# A local stand-in for python:3.11-slim-bookworm (tools/images.py makes it with debootstrap).
BASE_IMAGE = "localhost/ywtb/python:3.11-bookworm"
DEFAULT_REPOSITORY = "localhost/ywtb/ywtb"
APP_UID = 10001  # the Dockerfile's user, the chart's runAsUser
# The chart's securityContext as podman flags: non-root, read-only root, no capabilities, an emptyDir on /tmp.
CHART_SECURITY = (
    f"--user={APP_UID}:{APP_UID}",
    "--read-only",
    "--cap-drop=all",
    "--security-opt=no-new-privileges",
    "--tmpfs=/tmp:rw,size=256m,mode=1777",
)


def image_repository() -> str:
    """$YWTB_IMAGE_REPOSITORY (an ops team's registry), else the local one; the chart's image.repository."""
    return os.environ.get("YWTB_IMAGE_REPOSITORY") or DEFAULT_REPOSITORY


def image_tag() -> str:
    """$YWTB_IMAGE_TAG, else the chart's appVersion: the tag the chart's image references carry."""
    if tag := os.environ.get("YWTB_IMAGE_TAG"):
        return tag
    match = re.search(r'^appVersion:\s*"?([^"\s]+)"?', (ROOT / "charts/ywtb/Chart.yaml").read_text(), re.M)
    if not match:
        raise RuntimeError("charts/ywtb/Chart.yaml has no appVersion")
    return match.group(1)


def image_of(component: str) -> str:
    """The image of a component, as the chart names it: <repository>-<component>:<tag>."""
    return f"{image_repository()}-{component}:{image_tag()}"


def config_file() -> Path:
    """.run/podman/containers.conf: runc (crun refuses this VM's hybrid cgroups), cgroupfs, file events and
    default ulimits the host allows (podman's own defaults fail with "setrlimit ... Operation not permitted")."""
    path = ROOT / ".run" / "podman" / "containers.conf"
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 1048576 if nofile == resource.RLIM_INFINITY else nofile
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    nproc = 4096 if nproc == resource.RLIM_INFINITY else min(nproc, 4096)
    text = (
        "# Written by ywtb.common.containers: podman for this checkout only (CONTAINERS_CONF).\n"
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def podman_env() -> dict[str, str]:
    """The environment podman runs with here."""
    return {**os.environ, "CONTAINERS_CONF": str(config_file())}


def unavailable() -> str | None:
    """Why podman cannot run containers here, or None when it can."""
    missing = [tool for tool in ("podman", "runc") if not shutil.which(tool)]
    if missing:
        return f"{' and '.join(missing)} not installed (make images installs them with apt)"
    info = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False)
    return None if info.returncode == 0 else f"podman info failed: {info.stderr.strip()[-300:]}"


def podman(
    *args: str, check: bool = True, timeout: float = 900, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one podman command with the project's config (input on its stdin); its output captured."""
    return subprocess.run(
        ["podman", *args],
        env=podman_env(),
        input=input,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def missing_images(components: Sequence[str]) -> list[str]:
    """The images of these components that are not built here."""
    return [
        image_of(name)
        for name in components
        if podman("image", "exists", image_of(name), check=False).returncode
    ]


def run_args(
    name: str, image: str, env: Mapping[str, str], volumes: Sequence[str] = (), detach: bool = False
) -> list[str]:
    """`podman run` arguments of a component's container as the chart runs it, on the host network
    (a detached one is kept after it exits, for its logs: the caller removes it)."""
    return [
        "run",
        *(["--detach"] if detach else ["--rm"]),
        f"--name={name}",
        "--network=host",
        "--stop-timeout=20",
        *CHART_SECURITY,
        *(f"--volume={volume}" for volume in volumes),
        *(f"--env={key}={value}" for key, value in sorted(env.items())),
        image,
    ]
