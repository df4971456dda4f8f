"""The chart on one host: `helm template` with production-like values, played with `podman kube play`.

The nearest thing to a cluster here. What kube play runs: the chart's Deployments (security contexts,
emptyDir on /tmp, env from ConfigMaps and Secrets), its Secrets (made here, as an ops team makes them
before `helm install`; as podman secrets holding the Secret's data as JSON {key: base64}, the form podman
4.3 reads a secretKeyRef from: a Secret it plays itself is stored as YAML and then fails to be read back)
and its hook Jobs, each played as the Pod of its template in hook order. The
pods share the host's network; a hosts file stands in for the cluster's DNS of the chart's Services.
What kube play cannot do (Services, NetworkPolicies, HPAs, PDBs) stays covered by the render tests.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from ywtb.common.components import registry
from ywtb.common.containers import ROOT, image_repository, image_tag, podman
from ywtb.common.health import healthy

VALUES = ROOT / "charts/ywtb/tests/kube-play-values.yaml"
HELM = ROOT / ".cache/bin/helm"
KUBE_VERSION = "1.35.0"
RELEASE = "ywtb"


def render(stack: Mapping[str, str], namespace: str) -> list[dict[str, Any]]:
    """The chart's manifests for the local stack; every service on the Kafka namespace of this run, with demo data."""
    sets = {
        "default.image.repository": image_repository(),
        "default.image.tag": image_tag(),
        "kafka.bootstrap": stack["YWTB_KAFKA_BOOTSTRAP"],
        "keycloak.url": stack["YWTB_KEYCLOAK_URL"],
        "keycloak.realm": stack.get("YWTB_KEYCLOAK_REALM") or "ywtb",
    }
    for c in registry():
        sets[f"components.{c.name}.env.{c.env_prefix}KAFKA_NAMESPACE"] = namespace
        for name, value in c.dev_env.items():  # the demo tenants, accounts and catalogue
            sets[f"components.{c.name}.env.{c.env_prefix}{name}"] = value
    command = [str(HELM), "template", RELEASE, str(ROOT / "charts/ywtb"), "--namespace", "ywtb"]
    command += ["--kube-version", KUBE_VERSION, "-f", str(VALUES)]
    for key, value in sets.items():
        command += ["--set-string", f"{key}={value}"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(text) if doc]


def secret_data(data: Mapping[str, str]) -> str:
    """A Secret's data as podman 4.3 reads a secretKeyRef from: JSON {key: base64 of the value}."""
    return json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in data.items()})


def on_this_host(pod_spec: dict[str, Any], hosts_file: Path) -> dict[str, Any]:
    """The pod spec on this host's network: the chart's Service names resolve to it through a hosts file
    mounted on /etc/hosts (podman ignores hostAliases on the host network), and the containers' ports are
    the host's own (podman refuses port mappings there)."""
    mount = {"name": "cluster-dns", "mountPath": "/etc/hosts", "readOnly": True}
    containers = [
        {**{k: v for k, v in c.items() if k != "ports"}, "volumeMounts": [*c.get("volumeMounts", []), mount]}
        for c in pod_spec["containers"]
    ]
    volume = {"name": "cluster-dns", "hostPath": {"path": str(hosts_file), "type": "File"}}
    return {**pod_spec, "containers": containers, "volumes": [*pod_spec.get("volumes", []), volume]}


def hook_pods(manifests: list[dict[str, Any]], hosts_file: Path) -> list[dict[str, Any]]:
    """Every hook Job as the Pod of its template, in hook-weight order."""
    jobs = [m for m in manifests if m["kind"] == "Job"]
    jobs.sort(key=lambda m: int(m["metadata"].get("annotations", {}).get("helm.sh/hook-weight", "0")))
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": job["metadata"]["name"],
                "labels": job["spec"]["template"]["metadata"]["labels"],
            },
            "spec": on_this_host(job["spec"]["template"]["spec"], hosts_file),
        }
        for job in jobs
    ]


def play(documents: list[dict[str, Any]], path: Path) -> None:
    """`podman kube play` of the documents (written to path), on the host network."""
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True))
    played = podman("kube", "play", "--network=host", "--no-hosts", str(path), check=False, timeout=300)
    assert played.returncode == 0, f"podman kube play {path.name}: {played.stderr.strip()[-2000:]}"


def wait_exited(pod: dict[str, Any], timeout: float = 300) -> None:
    """Wait until the hook pod's container exits; fail with its logs unless it exits 0."""
    name = pod["metadata"]["name"]
    container = f"{name}-{pod['spec']['containers'][0]['name']}"  # kube play names it <pod>-<container>
    deadline = time.monotonic() + timeout
    while True:
        state = podman("inspect", "--format={{.State.Status}} {{.State.ExitCode}}", container, check=False)
        status, _, code = state.stdout.strip().partition(" ")
        if status in ("exited", "stopped"):
            logs = podman("logs", container, check=False)
            assert code == "0", f"{name} exited with {code}: {logs.stdout[-2000:]}{logs.stderr[-2000:]}"
            return
        assert time.monotonic() < deadline, f"{name} still {status or 'absent'} after {timeout:.0f} s"
        time.sleep(1)


def wait_healthy(timeout: float = 180) -> None:
    """Wait until every component's pod answers health on its registry port."""
    deadline = time.monotonic() + timeout
    for c in registry():
        while not healthy(c.is_grpc, c.ports.serving()):
            if time.monotonic() > deadline:
                logs = podman("logs", "--tail=40", f"{pod_of(c.name)}-{c.name}", check=False)
                raise AssertionError(
                    f"{c.name}'s pod is not healthy within {timeout:.0f} s: {logs.stderr[-3000:]}"
                )
            time.sleep(1)


def pod_of(component: str) -> str:
    """The pod kube play makes of a component's Deployment (<deployment>-pod-0)."""
    return f"{RELEASE}-{component}-pod-0"


def pod_states() -> dict[str, str]:
    """Every pod's state by name."""
    listing = podman("pod", "ps", "--format={{.Name}} {{.Status}}").stdout.splitlines()
    return dict(line.split(" ", 1) for line in listing if " " in line)


@contextmanager
def chart_pods(
    stack: Mapping[str, str], namespace: str, secrets: Mapping[str, Mapping[str, str]], work: Path
) -> Iterator[list[dict[str, Any]]]:
    """Create the Secrets, play each hook Job's pod, then the ConfigMaps and Deployments; yield the
    manifests; `kube down` them and remove the Secrets."""
    manifests = render(stack, namespace)
    hosts_file = work / "hosts"
    services = " ".join(m["metadata"]["name"] for m in manifests if m["kind"] == "Service")
    hosts_file.write_text(f"127.0.0.1 localhost {services}\n")
    for name, data in secrets.items():
        podman("secret", "rm", name, check=False)
        podman("secret", "create", name, "-", input=secret_data(data))
    configs = [m for m in manifests if m["kind"] == "ConfigMap"]
    deployments = [
        {
            **m,
            "spec": {
                **m["spec"],
                "template": {
                    **m["spec"]["template"],
                    "spec": on_this_host(m["spec"]["template"]["spec"], hosts_file),
                },
            },
        }
        for m in manifests
        if m["kind"] == "Deployment"
    ]
    files: list[Path] = []
    try:
        for n, pod in enumerate(hook_pods(manifests, hosts_file)):
            files.append(work / f"hook-{n}.yaml")
            play([*configs, pod], files[-1])
            wait_exited(pod)
        files.append(work / "deployments.yaml")
        play([*configs, *deployments], files[-1])
        wait_healthy()
        yield manifests
    finally:
        for path in reversed(files):
            podman("kube", "down", str(path), check=False, timeout=120)
        for name in secrets:
            podman("secret", "rm", name, check=False)
