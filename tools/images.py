"""Every component's container image, built with podman from deploy/docker/Dockerfile and smoke-run as the chart runs it.

    python tools/images.py            # make images: base, build, smoke (tools/images.sh installs podman first)
    python tools/images.py build      # only the base and the images
    python tools/images.py smoke      # only the smoke runs of images already built

The base is a local stand-in for python:3.11-slim-bookworm (no registry here): `debootstrap --variant=minbase`
from the host's Debian mirror with the host's trusted CA certificates, cached as .cache/images/<name>.tar and
imported as localhost/ywtb/python:3.11-bookworm. Images are named as the chart names them
(<YWTB_IMAGE_REPOSITORY>-<component>:<YWTB_IMAGE_TAG>, default localhost/ywtb/ywtb-<component>:<appVersion>).
Each smoke run: read-only root, tmpfs /tmp, all capabilities dropped, no-new-privileges, uid 10001; health
answers, `id -u` is 10001, a write to / fails, `podman stop` exits 0 and the process ended on SIGTERM; the
image's Python packages equal uv.lock's. One table of figures at the end.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from ywtb.common.components import Component, registry
from ywtb.common.containers import BASE_IMAGE, ROOT, image_of, podman, run_args, unavailable
from ywtb.common.health import healthy

CACHE = ROOT / ".cache" / "images"
BASE_TARBALL = CACHE / "python-3.11-bookworm-minbase.tar"
BASE_PACKAGES = "python3,python3-pip,python-is-python3,ca-certificates"
SMOKE_SHIFT = 13000  # smoke ports: registry port + this, clear of make run's and the e2e platforms'
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def debian_mirror() -> str:
    """The first Debian mirror of the host's apt sources (deb822 or one-line)."""
    for source in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        text = source.read_text() if source.is_file() else ""
        for match in re.finditer(r"(?:^URIs:\s*|^deb\s+(?:\[[^]]*\]\s+)?)(\S+)", text, re.M):
            if "security" not in match.group(1) and match.group(1).rstrip("/").endswith("/debian"):
                return match.group(1)
    return "http://deb.debian.org/debian"


def make_base() -> str:
    """The base image, imported from the cached tarball (made by debootstrap when missing)."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return "cached image"
    made = "cached tarball"
    if not BASE_TARBALL.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as work:
            rootfs = Path(work) / "rootfs"
            subprocess.run(
                ["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm", rootfs]
                + [debian_mirror()],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
                marker.unlink()  # pip installs uv in the builder stage, as in python:3.11-slim
            shutil.copyfile(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
            for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for path in (rootfs / junk).glob("*"):
                    if path.is_file():
                        path.unlink()
            partial = BASE_TARBALL.with_suffix(".partial")
            subprocess.run(["tar", "-C", rootfs, "--numeric-owner", "-cf", partial, "."], check=True)
            partial.replace(BASE_TARBALL)
        made = "debootstrap"
    podman(
        "import",
        "--change=ENV LANG=C.UTF-8",
        "--change=ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change=ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
        "--change=CMD /usr/bin/python3",
        str(BASE_TARBALL),
        BASE_IMAGE,
    )
    return made


def build(component: Component) -> float:
    """Build the component's image; seconds taken."""
    started = time.monotonic()
    result = podman(
        "build",
        "--network=host",  # the builder installs uv and the locked packages from PyPI
        "--file=deploy/docker/Dockerfile",
        f"--build-arg=SERVICE={component.name}",
        f"--build-arg=PYTHON_IMAGE={BASE_IMAGE}",
        f"--build-arg=DEBIAN_PACKAGES={' '.join(component.debian_packages)}",
        f"--tag={image_of(component.name)}",
        str(ROOT),
        check=False,
        timeout=1200,
    )
    if result.returncode != 0:
        sys.exit(f"images: building {component.name} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return time.monotonic() - started


def smoke_env(component: Component) -> dict[str, str]:
    """An embedded-mode configuration with the chart's paths: everything under /tmp (the pod's emptyDir)."""
    p = component.env_prefix
    port = component.ports.serving() + SMOKE_SHIFT
    env = {
        f"{p}MODE": "embedded",
        f"{p}DATA_DIR": "/tmp/ywtb",
        f"{p}EVENT_LOG_PATH": "/tmp/ywtb/events",
        f"{p}{'GRPC' if component.is_grpc else 'HTTP'}_PORT": str(port),
        f"{p}INTERNAL_SIGNING_KEY": secrets.token_urlsafe(48),
        **{p + secret.upper(): secrets.token_urlsafe(48) for secret in component.secrets},
    }
    if component.uses("postgresql"):  # a file in a directory nobody made: the service makes it
        env[f"{p}DATABASE_URL"] = "sqlite:////tmp/ywtb/db/service.db"
    for callee in component.calls:
        env[f"{p}{callee.upper()}_TARGET"] = f"127.0.0.1:{registry()[callee].ports.serving() + SMOKE_SHIFT}"
    return env


def locked_versions() -> dict[str, str]:
    """Every package of uv.lock: normalised name -> version."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {normalise(p["name"]): p["version"] for p in lock["package"] if "version" in p}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_mismatches(image: str) -> list[str]:
    """The image's installed distributions whose version differs from uv.lock (or which it does not lock)."""
    listing = podman(
        "run",
        "--rm",
        "--network=none",
        image,
        "python",
        "-c",
        "import json, importlib.metadata as m; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
    ).stdout
    locked = locked_versions()
    return [
        f"{name} {version} (uv.lock: {locked.get(normalise(name), 'absent')})"
        for name, version in sorted(json.loads(listing).items())
        if locked.get(normalise(name)) != version
    ]


def smoke(component: Component) -> dict[str, object]:
    """Run the image as the chart does and check it; its figures (raises AssertionError on a failed check)."""
    image, name = image_of(component.name), f"ywtb-smoke-{component.name}"
    podman("rm", "--force", "--ignore", name, check=False)
    started = time.monotonic()
    podman(*run_args(name, image, smoke_env(component), detach=True))
    try:
        port = component.ports.serving() + SMOKE_SHIFT
        while not healthy(component.is_grpc, port):
            state = podman("inspect", "--format={{.State.Status}}", name, check=False).stdout.strip()
            logs = podman("logs", name, check=False)
            assert state == "running", f"{name} is {state}: {logs.stdout[-2000:]}{logs.stderr[-2000:]}"
            assert time.monotonic() - started < 90, f"{name}: no health within 90 s: {logs.stderr[-2000:]}"
            time.sleep(0.3)
        health_s = time.monotonic() - started
        uid = podman("exec", name, "id", "-u").stdout.strip()
        assert uid == "10001", f"{name} runs as uid {uid}"
        write = podman("exec", name, "sh", "-c", "echo x > /probe", check=False)
        assert write.returncode != 0, f"{name}: writing / succeeded (the root is not read-only)"
        caps = podman("exec", name, "grep", "CapEff", "/proc/1/status").stdout.split()[-1]
        assert int(caps, 16) == 0, f"{name} keeps capabilities {caps}"
        podman("container", "stop", "--time=20", name)  # raises unless it exits 0
        code = podman("inspect", "--format={{.State.ExitCode}}", name).stdout.strip()
        assert code == "0", f"{name} exited with {code} on SIGTERM (137: killed after the stop timeout)"
    finally:
        podman("rm", "--force", "--ignore", name, check=False)
    mismatches = package_mismatches(image)
    assert not mismatches, f"{image}: packages differ from uv.lock: {mismatches}"
    return {"health_s": round(health_s, 1)}


def size_mb(image: str) -> float:
    return int(podman("image", "inspect", "--format={{.Size}}", image).stdout.strip()) / 1e6


def main(argv: list[str]) -> int:
    steps = set(argv[1:] or ["build", "smoke"])
    if steps - {"build", "smoke"}:
        print(__doc__, file=sys.stderr)
        return 2
    if reason := unavailable():
        print(f"images: SKIPPED — {reason}", file=sys.stderr)
        return 0
    rows: dict[str, dict[str, object]] = {c.name: {} for c in registry()}
    if "build" in steps:
        started = time.monotonic()
        print(f"images: base {BASE_IMAGE}: {make_base()} ({time.monotonic() - started:.0f} s)", flush=True)
        for component in registry():
            rows[component.name]["build_s"] = round(build(component), 1)
            print(f"images: built {image_of(component.name)}", flush=True)
    if "smoke" in steps:
        failed = []
        for component in registry():
            try:
                rows[component.name].update(smoke(component))
                rows[component.name]["checks"] = "ok"
            except (AssertionError, subprocess.CalledProcessError) as error:
                detail = error.stderr if isinstance(error, subprocess.CalledProcessError) else error
                rows[component.name]["checks"] = "FAILED"
                failed.append(f"{component.name}: {detail}")
    print(f"{'image':<42} {'MB':>6} {'build s':>8} {'health s':>9}  checks")
    for name, row in rows.items():
        print(
            f"{image_of(name):<42} {size_mb(image_of(name)):>6.0f} {row.get('build_s', '-')!s:>8} "
            f"{row.get('health_s', '-')!s:>9}  {row.get('checks', '-')}"
        )
    if "smoke" in steps and failed:
        print("images: smoke runs failed:\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
